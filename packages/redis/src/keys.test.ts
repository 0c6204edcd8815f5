import { describe, expect, it } from 'vitest';
import { parseRunIndexMember, RedisKeys, RUN_KEY_NAMES, runIndexMember } from './keys.js';

describe('RedisKeys', () => {
  const keys = new RedisKeys('shop');

  it('puts every key of a run in one hash slot via the {runId} hash tag', () => {
    const all = [...keys.runKeys('r-1'), keys.join('r-1', 'j')];
    for (const key of all) expect(key.match(/\{([^}]*)\}/)?.[1]).toBe('r-1');
    expect(keys.runKeys('r-1')).toHaveLength(RUN_KEY_NAMES.length);
    expect(keys.run('r-1', 'run')).toBe('shop:{r-1}:run');
  });

  it('namespaces global keys by prefix and escapes glob characters in the cleanup pattern', () => {
    expect([keys.runs, keys.active, keys.workers]).toEqual(['shop:runs', 'shop:active', 'shop:workers']);
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
