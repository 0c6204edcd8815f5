import { describe, expect, it } from 'vitest';
import { sampleDocuments } from './documents.js';
import { createPipelineWorkflow, isFlakyAttempt } from './pipeline-workflow.js';
import { expectedResult } from './text-analysis.js';

describe('document pipeline workflow', () => {
  it('produces the expected result on the local engine, flaky first attempts included', async () => {
    const wf = createPipelineWorkflow({ sentencesPerChunk: 2, workMs: 0, flakeRate: 0.5 });
    for (const doc of sampleDocuments(4)) {
      expect(await wf.run(doc, { concurrency: 4 })).toEqual(expectedResult(doc, 2));
    }
  });

  it('fails only first attempts, deterministically, at roughly the requested rate', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `item-${i}`);
    const failing = ids.filter((id) => isFlakyAttempt(id, 1, 0.25)).length;
    expect(failing / ids.length).toBeGreaterThan(0.2);
    expect(failing / ids.length).toBeLessThan(0.3);
    expect(ids.some((id) => isFlakyAttempt(id, 2, 0.25))).toBe(false);
    expect(ids.some((id) => isFlakyAttempt(id, 1, 0))).toBe(false);
    expect(ids.map((id) => isFlakyAttempt(id, 1, 0.25))).toEqual(
      ids.map((id) => isFlakyAttempt(id, 1, 0.25)),
    );
  });

  it('routes negative documents to review', async () => {
    const wf = createPipelineWorkflow({ sentencesPerChunk: 3, workMs: 0, flakeRate: 0 });
    const gloomy = {
      docId: 'g',
      title: 'g',
      text: 'Broken builds. Angry customers. A painful outage. Poor quality.',
    };
    expect(await wf.run(gloomy)).toMatchObject({ tone: 'negative', verdict: 'needs-review' });
  });
});
