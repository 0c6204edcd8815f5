import { describe, expect, it } from 'vitest';
import {
  parseRunIndexMember,
  RedisKeys,
  RUN_KEY_NAMES,
  RUN_SHARDS,
  runIndexMember,
  shardOf,
  SHARDS,
} from './keys.js';
import { keySlot } from './slot.js';

describe('RedisKeys', () => {
  const keys = new RedisKeys('shop');

  it('puts every key of a run, and its shard’s indexes and feed, in one hash slot', () => {
    const k = shardOf('r-1');
    const all = [
      ...keys.runKeys('r-1'),
      keys.join('r-1', 'j'),
      keys.fanouts('r-1'),
      keys.stage('r-1', 't'),
      keys.contextLog('r-1', 'f'),
      keys.runs(k),
      keys.runsByStatus('queued', k),
      keys.runsByWorkflowStatus('wf', 'queued', k),
      keys.runIds(k),
      keys.active(k),
      keys.deadlines(k),
      keys.feed(k),
    ];
    expect(new Set(all.map(keySlot)).size).toBe(1);
    expect(keys.runKeys('r-1')).toHaveLength(RUN_KEY_NAMES.length);
    // The scripts find the shard base by cutting ':{<runId>}:run' off the run key.
    expect(keys.run('r-1', 'run')).toBe(`${keys.shardBase(k)}:{r-1}:run`);
  });

  it('spreads the shards over the slot ranges of a 16-way split, and runs over the shards', () => {
    const slots = SHARDS.map((k) => keySlot(keys.runs(k)));
    expect(slots.map((slot) => Math.floor(slot / (16_384 / RUN_SHARDS)))).toEqual(SHARDS);
    const used = new Set(Array.from({ length: 1_000 }, (_, i) => shardOf(`run-${i}`)));
    expect(used.size).toBe(RUN_SHARDS);
  });

  it('keeps one BullMQ queue in one slot, and another prefix’s queue elsewhere', () => {
    const bull = keys.bullPrefix('work-items');
    expect(keySlot(`${bull}:work-items:wait`)).toBe(keySlot(`${bull}:work-items:123`));
    expect(keySlot(`${new RedisKeys('other').bullPrefix('work-items')}:work-items:wait`)).not.toBe(
      keySlot(`${bull}:work-items:wait`),
    );
  });

  it('namespaces global keys by prefix and escapes glob characters in the cleanup pattern', () => {
    expect(keys.workers).toBe('shop:workers');
    for (const k of SHARDS) expect(keys.active(k).startsWith('shop:{shop#')).toBe(true);
    expect(new RedisKeys('a*b').pattern).toBe('a\\*b:*');
  });
});

describe('run index members', () => {
  it('sort lexicographically in createdAt order and parse back', () => {
    const older = runIndexMember(999, 'z');
    const newer = runIndexMember(1000, 'a');
    expect(older < newer).toBe(true);
    expect(parseRunIndexMember(runIndexMember(1_763_000_000_000, 'run:with:colons'))).toEqual({
      createdAt: 1_763_000_000_000,
      runId: 'run:with:colons',
    });
  });
});
