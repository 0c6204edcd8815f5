import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { context } from '../context/context-definition.js';
import { counter, eventLog } from '../context/context-fields.js';
import { CheckpointConflictError, NodeError, RunNotFoundError, RunStateError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';
import type { Checkpoint } from './checkpoint.js';
import { MemoryCheckpointStore } from './memory-checkpoint-store.js';

const Ctx = context({ steps: counter(), log: eventLog(z.string()) });

function build(failOnce: { armed: boolean }) {
  const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n, n + 1, n + 2]) });
  const work = node({
    name: 'work',
    context: Ctx,
    process(n: number, ctx) {
      ctx.context.steps.add(1);
      ctx.context.log.append(`work ${n}`);
      if (n === 2 && failOnce.armed) {
        failOnce.armed = false;
        throw new Error('crash mid-run');
      }
      return n * 10;
    },
  });
  const collect = node({
    name: 'collect',
    context: Ctx,
    process: (xs: number[], ctx) => ({ xs, steps: ctx.context.steps.value, log: ctx.context.log.values }),
  });
  return workflow({ name: 'cp', context: Ctx })
    .start(fan)
    .join(collect, { from: fan })
    .edge(fan, work)
    .edge(work, collect)
    .build();
}

describe('checkpoints', () => {
  it('resume after a step threw mid-run gives the same output as an uninterrupted run', async () => {
    const uninterrupted = await build({ armed: false }).run(1);
    const store = new MemoryCheckpointStore();
    const wf = build({ armed: true });
    await expect(wf.run(1, { checkpoint: store, runId: 'r1' })).rejects.toBeInstanceOf(NodeError);
    const saved = (await store.load('r1')) as Checkpoint;
    expect(saved).toMatchObject({
      status: 'failed',
      runId: 'r1',
      workflow: 'cp',
      error: { code: 'NODE_FAILED' },
    });
    expect(saved.queue.map((i) => i.input)).toEqual([2, 3]);
    expect(saved.joins).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    await expect(wf.resume('r1', { checkpoint: store })).resolves.toEqual(uninterrupted);
    expect(uninterrupted).toEqual({ xs: [10, 20, 30], steps: 3, log: ['work 1', 'work 2', 'work 3'] });
    expect(await store.load('r1')).toMatchObject({
      status: 'completed',
      output: { value: uninterrupted },
      queue: [],
    });
  });

  it('saves after every step with increasing versions', async () => {
    const versions: number[] = [];
    const store = new MemoryCheckpointStore();
    const spy = {
      load: (id: string) => store.load(id),
      save: async (id: string, cp: Checkpoint, expected: number) => {
        versions.push(cp.version);
        expect(cp.version).toBe(expected + 1);
        await store.save(id, cp, expected);
      },
    };
    await build({ armed: false }).run(1, { checkpoint: spy, runId: 'r2' });
    // fan, three work steps, then the completed run (the terminal step saves once, as completed).
    expect(versions).toEqual([1, 2, 3, 4, 5]);
  });

  it('a stale expected version is a CheckpointConflictError', async () => {
    const store = new MemoryCheckpointStore();
    const cp: Checkpoint = {
      version: 1,
      runId: 'x',
      workflow: 'cp',
      workflowVersion: 1,
      status: 'running',
      context: {},
      queue: [],
      joins: [],
    };
    await store.save('x', cp, 0);
    await expect(store.save('x', { ...cp, version: 2 }, 0)).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(store.save('x', { ...cp, version: 2 }, 1)).resolves.toBeUndefined();
  });

  it('refuses to resume an unknown or completed run and to run an existing one again', async () => {
    const store = new MemoryCheckpointStore();
    const wf = build({ armed: false });
    await expect(wf.resume('nope', { checkpoint: store })).rejects.toBeInstanceOf(RunNotFoundError);
    await wf.run(1, { checkpoint: store, runId: 'done' });
    await expect(wf.resume('done', { checkpoint: store })).rejects.toBeInstanceOf(RunStateError);
    await expect(wf.run(1, { checkpoint: store, runId: 'done' })).rejects.toBeInstanceOf(RunStateError);
  });
});
