import { node, workflow } from '@floxide/core';
import { DistributedOrchestrator, MemoryBackend } from '@floxide/distributed';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test-support/wait-for.js';
import type { DashboardChange } from './change-source.js';
import { FeedChangeSource } from './feed-change-source.js';

const echo = node({ name: 'echo', process: (n: number) => n });
const wf = workflow({ name: 'feed-source', version: 1 }).start(echo).build();

describe('FeedChangeSource', () => {
  const backend = new MemoryBackend();
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
  let source: FeedChangeSource | undefined;
  afterEach(async () => {
    await source?.close();
  });

  it('reports new runs and the shown run from the feed, coalescing a burst into a few notifications', async () => {
    source = new FeedChangeSource({ backend, coalesceMs: 100 });
    const changes: DashboardChange[] = [];
    const shown = await orchestrator.start(wf, 1);
    source.subscribe((change) => changes.push(change), { runId: shown });
    // Let the shared subscription take its position before anything happens.
    await new Promise((resolve) => setTimeout(resolve, 50));

    await Promise.all(Array.from({ length: 50 }, (_, i) => orchestrator.start(wf, i)));
    await waitFor(() => changes.some((c) => c.kind === 'runs'), {
      timeoutMs: 5_000,
      message: 'a runs change',
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const runsChanges = changes.filter((c) => c.kind === 'runs').length;
    expect(runsChanges).toBeGreaterThanOrEqual(1);
    expect(runsChanges).toBeLessThanOrEqual(3);
    expect(changes.some((c) => c.kind === 'run')).toBe(false);

    await orchestrator.pause(shown);
    await waitFor(() => changes.some((c) => c.kind === 'run' && c.runId === shown), {
      timeoutMs: 5_000,
      message: 'a change of the shown run',
    });
  });

  it('stops notifying once unsubscribed', async () => {
    source = new FeedChangeSource({ backend, coalesceMs: 20 });
    const changes: DashboardChange[] = [];
    const stop = source.subscribe((change) => changes.push(change));
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    await orchestrator.start(wf, 7);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toEqual([]);
  });
});
