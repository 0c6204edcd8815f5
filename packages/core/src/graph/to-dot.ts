import type { AnyWorkflow } from '../workflow/workflow.js';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Draws a workflow in Graphviz DOT: fallback edges dashed and red, route arms labelled with their
 * discriminant value, joins as double octagons.
 *
 * @example
 * ```ts
 * writeFileSync('order.dot', toDot(wf)); // dot -Tsvg order.dot > order.svg
 * ```
 */
export function toDot(workflow: AnyWorkflow): string {
  const lines = [
    `digraph ${quote(workflow.name)} {`,
    '  rankdir=LR;',
    '  node [shape=box style=filled fontname="Helvetica" color=lightgray];',
    '  edge [fontname="Helvetica" arrowhead=vee];',
  ];
  for (const name of workflow.nodes.keys()) {
    const attributes = [
      ...(name === workflow.start ? ['color=lightblue'] : []),
      ...(workflow.joins.has(name) ? ['shape=doubleoctagon'] : []),
    ];
    lines.push(`  ${quote(name)}${attributes.length > 0 ? ` [${attributes.join(' ')}]` : ''};`);
  }
  for (const [from, targets] of workflow.edges)
    for (const to of targets) lines.push(`  ${quote(from)} -> ${quote(to)};`);
  let outputs = 0;
  for (const [from, route] of workflow.routes) {
    for (const [key, targets] of route.arms) {
      if (targets.length === 0) {
        const out = quote(`output ${outputs++}`);
        lines.push(
          `  ${out} [shape=oval label="output"];`,
          `  ${quote(from)} -> ${out} [label=${quote(key)}];`,
        );
      }
      for (const to of targets) lines.push(`  ${quote(from)} -> ${quote(to)} [label=${quote(key)}];`);
    }
  }
  for (const [from, targets] of workflow.fallbacks) {
    for (const to of targets)
      lines.push(`  ${quote(from)} -> ${quote(to)} [style="dashed" color="red" label="fallback"];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
