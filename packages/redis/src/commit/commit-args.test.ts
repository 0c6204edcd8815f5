import type { WorkItem } from '@floxide/core/engine';
import type { StepCommit } from '@floxide/distributed';
import { describe, expect, it } from 'vitest';
import { buildCommitArgs } from './commit-args.js';
import { decodeItem } from '../item-codec.js';
import { RedisKeys, RUN_KEY_NAMES } from '../keys.js';

const item: WorkItem = {
  itemId: 'i1',
  runId: 'r',
  workflow: 'wf',
  version: 1,
  node: 'n',
  input: 1,
  attempt: 1,
  branches: [],
};
const lease = { item, token: 't#job', workerId: 'w', expiresAt: 0 };
const keys = new RedisKeys('p');

function control(args: string[]): Record<string, unknown> {
  return JSON.parse(args[0] as string) as Record<string, unknown>;
}

describe('buildCommitArgs', () => {
  it('passes user data as raw ARGV entries referenced by 1-based index, never inside the control JSON', () => {
    const succ: WorkItem = {
      ...item,
      itemId: 'i2',
      node: 'm',
      input: { big: 'sentinel-user-data', empty: [] },
    };
    const step: StepCommit = {
      lease,
      at: 10,
      context: {
        fields: [
          { kind: 'counter', field: 'hits', add: 1 },
          { kind: 'register', field: 'who', set: { name: 'sentinel-user-data' } },
          { kind: 'eventLog', field: 'seen', append: [{ id: 'e1', event: 'sentinel-user-data' }] },
        ],
      },
      outcome: {
        kind: 'advance',
        transition: 'next',
        successors: [succ],
        joins: [],
        output: { value: null },
        contextOps: [],
        durationMs: 5,
      },
    };
    const { keys: k, args } = buildCommitArgs(keys, step, 'job');
    const c = control(args);
    expect(k).toEqual([...keys.runKeys('r'), keys.contextLog('r', 'seen'), keys.contextIds('r', 'seen')]);
    expect(c).toMatchObject({ itemId: 'i1', attempt: 1, jobId: 'job', kind: 'advance' });
    const [hits, who, seen] = (c['ctx'] as { fields: Record<string, unknown>[] }).fields;
    expect(hits).toEqual({ kind: 'counter', name: 'hits', add: 1 });
    expect(args[(who?.['idx'] as number) - 1]).toBe('{"name":"sentinel-user-data"}');
    expect(seen).toMatchObject({ logKey: 14, idsKey: 15 });
    const [event] = seen?.['events'] as { idIdx: number; entryIdx: number }[];
    expect(args[(event?.entryIdx ?? 0) - 1]).toBe('{"id":"e1","event":"sentinel-user-data"}');
    expect(args[(c['outputIdx'] as number) - 1]).toBe('null');
    const [enq] = c['enq'] as { idx: number; attempt: number; base: string }[];
    expect(decodeItem(args[(enq?.idx ?? 0) - 1] as string)).toEqual(succ);
    expect(enq?.base).toBe('r/i2');
    expect(args[0]).not.toContain('sentinel-user-data');
  });

  it('adds one KEYS entry per join arrival after the run keys', () => {
    const joinItem = {
      itemId: 'j1',
      runId: 'r',
      workflow: 'wf',
      version: 1,
      node: 'join',
      attempt: 1,
      branches: [],
    };
    const step: StepCommit = {
      lease,
      at: 10,
      outcome: {
        kind: 'advance',
        transition: 'next',
        successors: [],
        joins: [{ joinItem, index: 1, total: 2, value: [] }],
        contextOps: [],
        durationMs: 1,
      },
    };
    const { keys: k, args } = buildCommitArgs(keys, step, 'job');
    const [join] = control(args)['joins'] as {
      key: number;
      valueIdx: number;
      index: number;
      total: number;
    }[];
    expect(k[(join?.key ?? 0) - 1]).toBe(new RedisKeys('p').join('r', 'j1'));
    expect(join?.key).toBe(RUN_KEY_NAMES.length + 1);
    expect(args[(join?.valueIdx ?? 0) - 1]).toBe('[]');
    expect(join).toMatchObject({ index: 1, total: 2 });
  });

  it('schedules a retry by its delay (the script adds the server clock) and records the error', () => {
    const step: StepCommit = {
      lease,
      at: 10,
      outcome: {
        kind: 'retry',
        error: { name: 'Error', code: 'NODE_FAILED', message: 'boom' },
        delayMs: 60_000,
        retryItem: { ...item, attempt: 2 },
        durationMs: 1,
      },
    };
    const { args } = buildCommitArgs(keys, step, 'job');
    const c = control(args);
    const [enq] = c['enq'] as { delayMs: number; attempt: number; readyAt?: number }[];
    expect(enq?.attempt).toBe(2);
    expect(enq?.delayMs).toBe(60_000);
    // No due time computed from this process's clock travels to the script.
    expect(enq?.readyAt).toBeUndefined();
    expect(c['now']).toBeUndefined();
    expect(JSON.parse(args[(c['recIdx'] as number) - 1] as string)).toMatchObject({
      itemId: 'i1',
      attempt: 1,
      at: 10,
    });
  });
});
