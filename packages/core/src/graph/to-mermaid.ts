import type { AnyWorkflow } from '../workflow/workflow.js';

function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/**
 * Draws a workflow as a Mermaid flowchart: solid edges, dashed fallback edges, route arms labelled with
 * their discriminant value (terminal arms end in an output marker), joins drawn as hexagons.
 *
 * @example
 * ```ts
 * console.log(toMermaid(wf)); // paste into any Markdown that renders Mermaid
 * ```
 */
export function toMermaid(workflow: AnyWorkflow): string {
  const ids = new Map<string, string>();
  let i = 0;
  for (const name of workflow.nodes.keys()) ids.set(name, `n${i++}`);
  const id = (name: string): string => ids.get(name) ?? name;
  const lines = [
    `flowchart LR`,
    `  %% ${workflow.name} v${workflow.version}`,
    `  start((start)) --> ${id(workflow.start)}`,
  ];
  for (const name of workflow.nodes.keys()) {
    const join = workflow.joins.get(name);
    lines.push(
      join === undefined
        ? `  ${id(name)}[${label(name)}]`
        : `  ${id(name)}{{${label(`${name} (join of ${join.from})`)}}}`,
    );
  }
  for (const [from, targets] of workflow.edges)
    for (const to of targets) lines.push(`  ${id(from)} --> ${id(to)}`);
  let outputs = 0;
  for (const [from, route] of workflow.routes) {
    for (const [key, targets] of route.arms) {
      if (targets.length === 0) {
        const out = `out${outputs++}`;
        lines.push(`  ${out}([output])`, `  ${id(from)} -- ${label(key)} --> ${out}`);
      }
      for (const to of targets) lines.push(`  ${id(from)} -- ${label(key)} --> ${id(to)}`);
    }
  }
  for (const [from, targets] of workflow.fallbacks)
    for (const to of targets) lines.push(`  ${id(from)} -. fallback .-> ${id(to)}`);
  return `${lines.join('\n')}\n`;
}
