import { context, counter, node, RetryPolicy, Transition, workflow } from '@floxide/core';
import { z } from 'zod';
import {
  analyseChunk,
  splitIntoChunks,
  summarise,
  type ChunkAnalysis,
  type DocumentSummary,
  type PipelineResult,
} from './text-analysis.js';

/** Knobs of the pipeline; worker processes must build it with the same values as the demo. */
export interface PipelineOptions {
  /** Sentences per chunk (how much parallel work one document becomes). */
  readonly sentencesPerChunk: number;
  /** Simulated analysis time per chunk, ms (so progress and worker kills are visible). */
  readonly workMs: number;
  /** Fraction of chunks whose first analysis attempt fails with a transient error (0–1). */
  readonly flakeRate: number;
}

/** The defaults used by `npm run demo`. */
export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  sentencesPerChunk: 3,
  workMs: 250,
  flakeRate: 0.25,
};

const DocumentSchema = z.object({ docId: z.string(), title: z.string(), text: z.string() });
const ChunkSchema = z.object({ docId: z.string(), index: z.number().int(), text: z.string() });
const AnalysisSchema = z.object({
  docId: z.string(),
  index: z.number().int(),
  words: z.number().int(),
  positive: z.number().int(),
  negative: z.number().int(),
  terms: z.record(z.string(), z.number()),
});
const SummarySchema = z.object({
  docId: z.string(),
  chunks: z.number().int(),
  words: z.number().int(),
  score: z.number(),
  tone: z.enum(['positive', 'neutral', 'negative']),
  keywords: z.array(z.string()),
});

/** The run context: how many chunks were analysed; exact even when workers die (commits are exactly-once). */
export const PipelineContext = context({ chunksAnalysed: counter() });

/**
 * Whether this attempt of the flaky step fails. Deterministic in (item id, attempt) so every worker process
 * agrees, and only first attempts fail, so the retry policy always wins eventually.
 */
export function isFlakyAttempt(itemId: string, attempt: number, flakeRate: number): boolean {
  if (attempt > 1 || flakeRate <= 0) return false;
  let hash = 2_166_136_261;
  for (let i = 0; i < itemId.length; i++) hash = Math.imul(hash ^ itemId.charCodeAt(i), 16_777_619);
  return ((hash >>> 0) % 1_000) / 1_000 < flakeRate;
}

/**
 * Builds the document pipeline:
 * `split-document` fans a document out into chunks → `analyse-chunk` (flaky, retried) runs per chunk in
 * parallel → `merge-analyses` joins them in chunk order → a route on the tone ends in `publish` or
 * `flag-for-review`.
 */
export function createPipelineWorkflow(options: PipelineOptions = DEFAULT_PIPELINE_OPTIONS) {
  const split = node({
    name: 'split-document',
    input: DocumentSchema,
    output: ChunkSchema,
    process: (doc) => Transition.nextAll(splitIntoChunks(doc, options.sentencesPerChunk)),
  });

  const analyse = node({
    name: 'analyse-chunk',
    input: ChunkSchema,
    output: AnalysisSchema,
    context: PipelineContext,
    retry: RetryPolicy.exponential({ maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 400, jitter: 0.5 }),
    async process(chunk, ctx): Promise<ChunkAnalysis> {
      await ctx.sleep(options.workMs);
      if (isFlakyAttempt(ctx.itemId, ctx.attempt, options.flakeRate)) {
        throw new Error(`analysis service unavailable for ${chunk.docId}#${chunk.index} (transient)`);
      }
      ctx.context.chunksAnalysed.add(1);
      return analyseChunk(chunk);
    },
  });

  const merge = node({
    name: 'merge-analyses',
    input: z.array(AnalysisSchema),
    output: SummarySchema,
    process: (analyses): DocumentSummary => summarise(analyses),
  });

  const publish = node({
    name: 'publish',
    input: SummarySchema,
    process: (summary): PipelineResult => ({ ...summary, verdict: 'published' }),
  });

  const review = node({
    name: 'flag-for-review',
    input: SummarySchema,
    process: (summary): PipelineResult => ({ ...summary, verdict: 'needs-review' }),
  });

  return workflow({ name: 'document-pipeline', version: 1, context: PipelineContext })
    .start(split)
    .edge(split, analyse)
    .join(merge, { from: split })
    .edge(analyse, merge)
    .route(merge, (summary: DocumentSummary) => (summary.tone === 'negative' ? 'review' : 'publish'), {
      publish,
      review,
    })
    .build();
}
