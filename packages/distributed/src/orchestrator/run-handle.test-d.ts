import { node, workflow } from '@floxide/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { MemoryBackend } from '../memory/memory-backend.js';
import type { RunStatus } from '../contracts/records.js';
import { DistributedOrchestrator } from './distributed-orchestrator.js';
import type { RunHandle } from './run-handle.js';

const fetchAll = node({
  name: 'fetch-all',
  input: z.object({ urls: z.array(z.string()) }),
  process: (input) => input.urls.length,
});
const crawl = workflow({ name: 'crawl' }).start(fetchAll).build();
const orchestrator = new DistributedOrchestrator({ backend: new MemoryBackend(), workflows: [crawl] });

describe('typed distributed API', () => {
  it('checks start input against the workflow input type', () => {
    void orchestrator.start(crawl, { urls: ['a'] });
    // @ts-expect-error urls must be a string array
    void orchestrator.start(crawl, { urls: 42 });
    // @ts-expect-error the input is required
    void orchestrator.start(crawl);
    // By name the workflow is only known at run time: any input compiles, validation happens at start.
    void orchestrator.start('crawl', { anything: true });
    expectTypeOf(orchestrator.start(crawl, { urls: [] })).toEqualTypeOf<Promise<string>>();
  });

  it('types wait when given the workflow, and keeps the untyped form', async () => {
    const typed = await orchestrator.wait(crawl, 'run-1');
    expectTypeOf(typed.output).toEqualTypeOf<number | undefined>();
    const untyped = await orchestrator.wait('run-1');
    expectTypeOf(untyped.output).toEqualTypeOf<unknown>();
  });

  it('gives typed run handles from startRun and handle', async () => {
    const handle = await orchestrator.startRun(crawl, { urls: ['a', 'b'] });
    expectTypeOf(handle).toEqualTypeOf<RunHandle<number>>();
    expectTypeOf(handle.result()).toEqualTypeOf<Promise<number>>();
    expectTypeOf(handle.status()).toEqualTypeOf<Promise<RunStatus>>();
    expectTypeOf(orchestrator.handle(crawl, 'run-1').result()).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error startRun checks the input too
    void orchestrator.startRun(crawl, { urls: [1] });
  });
});
