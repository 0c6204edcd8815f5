/**
 * The root README's example: split a text into lines, count each line's words in parallel branches (each
 * branch also adds to a context counter), and join the counts. Kept here so the README's code is run and
 * tested, not just shown.
 */
import { context, counter, node, split, workflow } from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

const Ctx = context({ words: counter() });

const chunks = split('chunks', (text: string) => text.split('\n'));
const count = node({
  name: 'count',
  input: z.string(),
  output: z.number(),
  context: Ctx,
  process(line, ctx) {
    const n = line.split(/\s+/).filter(Boolean).length;
    ctx.context.words.add(n); // applied once, when this step commits
    return n; // a plain value means Transition.next(n)
  },
});
const total = node({ name: 'total', process: (counts: number[]) => counts.reduce((a, b) => a + b, 0) });

/** The README's workflow. */
export const wordCountWorkflow = workflow({ name: 'words', version: 1, context: Ctx })
  .start(chunks)
  .edge(chunks, count)
  .join(total, { from: chunks })
  .edge(count, total)
  .build();

/** Counts the words of a two-line text (5). */
export async function main(): Promise<number> {
  return wordCountWorkflow.run('a b c\nd e');
}

runMain(import.meta.url, main);
