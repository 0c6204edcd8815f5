import { describe, expect, it } from 'vitest';
import { DistributedOrchestrator, MemoryBackend, WorkerPool } from '@floxide/distributed';
import { main, wordCountWorkflow } from './word-count.js';

describe('the README example (word count)', () => {
  it('counts 5 words locally', async () => {
    expect(await main()).toBe(5);
  });

  it('gives the same output, and an exact context counter, through an orchestrator and a worker pool', async () => {
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wordCountWorkflow] });
    const pool = new WorkerPool({ backend, workflows: [wordCountWorkflow], size: 3, heartbeatMs: 50 });
    await pool.start();
    try {
      const text = Array.from({ length: 40 }, (_, i) => 'w '.repeat(i + 1).trim()).join('\n');
      const runId = await orchestrator.start(wordCountWorkflow, text);
      const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
      expect(info.output).toBe(await wordCountWorkflow.run(text));
      expect(await orchestrator.context(runId)).toEqual({ words: 820 });
    } finally {
      await pool.close();
    }
  });
});
