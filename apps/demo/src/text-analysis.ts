import type { DemoDocument } from './documents.js';

/** A slice of a document, analysed on its own (possibly on another machine). */
export interface Chunk {
  readonly docId: string;
  readonly index: number;
  readonly text: string;
}

/** What the analysis of one chunk found. */
export interface ChunkAnalysis {
  readonly docId: string;
  readonly index: number;
  readonly words: number;
  readonly positive: number;
  readonly negative: number;
  /** Word → occurrences, for keyword extraction after the join. */
  readonly terms: Readonly<Record<string, number>>;
}

/** The tone a summary is classified into; it decides the route (publish or review). */
export type Tone = 'positive' | 'neutral' | 'negative';

/** The joined result for one document. */
export interface DocumentSummary {
  readonly docId: string;
  readonly chunks: number;
  readonly words: number;
  /** (positive − negative) hits per 100 words, rounded to one decimal. */
  readonly score: number;
  readonly tone: Tone;
  /** The three most frequent content words. */
  readonly keywords: string[];
}

/** The run's output: the summary plus what the route decided. */
export interface PipelineResult extends DocumentSummary {
  readonly verdict: 'published' | 'needs-review';
}

const POSITIVE_WORDS = new Set(['excellent', 'great', 'fast', 'happy', 'reliable', 'celebrated', 'results']);
const NEGATIVE_WORDS = new Set(['slow', 'broken', 'angry', 'painful', 'outage', 'poor', 'questioned']);
const STOP_WORDS = new Set(['the', 'a', 'our', 'new', 'usual', 'several', 'of', 'and']);

/** Splits a document into chunks of `sentencesPerChunk` sentences, in order. */
export function splitIntoChunks(doc: DemoDocument, sentencesPerChunk: number): Chunk[] {
  const sentences = doc.text.split(/(?<=\.)\s+/).filter((s) => s.length > 0);
  const chunks: Chunk[] = [];
  for (let i = 0; i < sentences.length; i += sentencesPerChunk) {
    chunks.push({
      docId: doc.docId,
      index: chunks.length,
      text: sentences.slice(i, i + sentencesPerChunk).join(' '),
    });
  }
  return chunks;
}

/** Counts words, sentiment hits and terms of one chunk. Pure: the same chunk always gives the same analysis. */
export function analyseChunk(chunk: Chunk): ChunkAnalysis {
  const words = chunk.text.toLowerCase().match(/[a-z]+/g) ?? [];
  const terms: Record<string, number> = {};
  let positive = 0;
  let negative = 0;
  for (const word of words) {
    if (POSITIVE_WORDS.has(word)) positive++;
    if (NEGATIVE_WORDS.has(word)) negative++;
    if (!STOP_WORDS.has(word) && word.length > 3) terms[word] = (terms[word] ?? 0) + 1;
  }
  return { docId: chunk.docId, index: chunk.index, words: words.length, positive, negative, terms };
}

/** Joins the analyses of one document (in chunk order) into its summary. */
export function summarise(analyses: readonly ChunkAnalysis[]): DocumentSummary {
  const terms = new Map<string, number>();
  let words = 0;
  let balance = 0;
  for (const analysis of analyses) {
    words += analysis.words;
    balance += analysis.positive - analysis.negative;
    for (const [term, n] of Object.entries(analysis.terms)) terms.set(term, (terms.get(term) ?? 0) + n);
  }
  const score = words === 0 ? 0 : Math.round((balance / words) * 1_000) / 10;
  const keywords = [...terms.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([term]) => term);
  return {
    docId: analyses[0]?.docId ?? 'unknown',
    chunks: analyses.length,
    words,
    score,
    tone: score > 1.5 ? 'positive' : score < -1.5 ? 'negative' : 'neutral',
    keywords,
  };
}

/** The result the pipeline must produce for `doc`, computed directly; the demo checks every run against it. */
export function expectedResult(doc: DemoDocument, sentencesPerChunk: number): PipelineResult {
  const summary = summarise(splitIntoChunks(doc, sentencesPerChunk).map(analyseChunk));
  return { ...summary, verdict: summary.tone === 'negative' ? 'needs-review' : 'published' };
}
