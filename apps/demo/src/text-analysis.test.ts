import { describe, expect, it } from 'vitest';
import { sampleDocuments } from './documents.js';
import { analyseChunk, expectedResult, splitIntoChunks, summarise } from './text-analysis.js';

const doc = {
  docId: 'd1',
  title: 't',
  text: 'Happy users loved it. Slow response again. A great result. Broken builds.',
};

describe('text analysis', () => {
  it('splits a document into ordered chunks of whole sentences', () => {
    const chunks = splitIntoChunks(doc, 3);
    expect(chunks.map((c) => c.index)).toEqual([0, 1]);
    expect(chunks[0]?.text).toBe('Happy users loved it. Slow response again. A great result.');
    expect(chunks[1]?.text).toBe('Broken builds.');
  });

  it('counts words, sentiment hits and terms of a chunk', () => {
    const analysis = analyseChunk({ docId: 'd1', index: 0, text: 'Happy users, happy team. Slow day.' });
    expect(analysis).toMatchObject({ words: 6, positive: 2, negative: 1 });
    expect(analysis.terms).toEqual({ happy: 2, users: 1, team: 1, slow: 1 });
  });

  it('summarises analyses into a tone and the most frequent keywords', () => {
    const summary = summarise(splitIntoChunks(doc, 1).map(analyseChunk));
    // happy + great against slow + broken: balanced, so neutral.
    expect(summary).toMatchObject({ docId: 'd1', chunks: 4, words: 12, score: 0, tone: 'neutral' });
    expect(summary.keywords).toEqual(['again', 'broken', 'builds']);
    const glum = summarise([analyseChunk({ docId: 'd2', index: 0, text: 'Slow, broken and angry.' })]);
    expect(glum).toMatchObject({ score: -75, tone: 'negative' });
  });

  it('does not depend on how the document is chunked', () => {
    for (const d of sampleDocuments(5)) {
      const { chunks: _a, ...one } = expectedResult(d, 1);
      const { chunks: _b, ...four } = expectedResult(d, 4);
      expect(four).toEqual(one);
    }
  });

  it('generates the same documents for the same seed, leaning in different directions', () => {
    expect(sampleDocuments(6)).toEqual(sampleDocuments(6));
    const verdicts = new Set(sampleDocuments(12).map((d) => expectedResult(d, 3).verdict));
    expect(verdicts).toEqual(new Set(['published', 'needs-review']));
  });
});
