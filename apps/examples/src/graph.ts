/**
 * Graph export (Rust `workflow_dot.rs`): `toMermaid` and `toDot` draw a workflow — fallback edges dashed,
 * route arms labelled, the join fed by a fan-out. Nothing runs.
 */
import { node, split, toDot, toMermaid, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const receive = node({ name: 'receive', process: (text: string) => text });
const fanOut = split('fan-out', (text: string) => text.split(' '));
const enrich = node({ name: 'enrich', process: (word: string) => word.toUpperCase() });
const recover = node({ name: 'recover', process: (word: string) => `?${word}` });
const collect = node({
  name: 'collect',
  process: (words: string[]) => ({ kind: words.length > 2 ? 'long' : 'short', words }) as const,
});
const long = node({ name: 'long', process: (r: { words: readonly string[] }) => r.words.join('-') });
const short = node({ name: 'short', process: (r: { words: readonly string[] }) => r.words.join('+') });

/** A graph with a fan-out, a fallback, a join and a route. */
export const graphWorkflow = workflow({ name: 'graph-demo' })
  .start(receive)
  .edge(receive, fanOut)
  .edge(fanOut, enrich)
  .onFailure(enrich, recover)
  .join(collect, { from: fanOut })
  .edge(enrich, collect)
  .edge(recover, collect)
  .route(collect, (r) => r.kind, { long, short })
  .build();

/** Returns both renderings. */
export async function main(): Promise<string> {
  return `${toMermaid(graphWorkflow)}\n\n${toDot(graphWorkflow)}`;
}

runMain(import.meta.url, main);
