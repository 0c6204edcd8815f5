import { describe, expect, it } from 'vitest';
import { deriveItemId, joinItemId, startItemId } from './item-id.js';

const hex32 = /^[0-9a-f]{32}$/;

describe('item ids', () => {
  it('are 32 hex digits and a pure function of their inputs, whatever was hashed in between', () => {
    const start = startItemId('run-1');
    const first = deriveItemId(start, 3);
    // Interleave other derivations so the remembered last-made and last-read ids change.
    const child = deriveItemId(first, 0);
    deriveItemId(child, 1);
    deriveItemId(startItemId('run-2'), 3);
    joinItemId(first, 'collect');
    expect(deriveItemId(start, 3)).toBe(first);
    // The same text in another string object gives the same id.
    expect(deriveItemId([...start].join(''), 3)).toBe(first);
    expect(deriveItemId(first, 0)).toBe(child);
    for (const id of [start, first, child, joinItemId(first, 'collect')]) expect(id).toMatch(hex32);
  });

  it('tell positions, parents and kinds apart', () => {
    const parent = startItemId('run-1');
    const ids = [
      deriveItemId(parent, 0),
      deriveItemId(parent, 1),
      deriveItemId(parent, '1'),
      deriveItemId(parent, 1.5),
      deriveItemId(parent, '1.5'),
      deriveItemId(parent, 2 ** 32),
      deriveItemId(parent, 'fallback:0'),
      deriveItemId(startItemId('run-2'), 0),
      joinItemId(parent, 'collect'),
      joinItemId(parent, 'other'),
      startItemId('run-1x'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hash parents that are not canonical hex ids as text, deterministically', () => {
    const canonical = startItemId('run-1');
    // Upper case, and letters just past 'f' or before 'a' in the code table, are not hex digits.
    const others = [canonical.toUpperCase(), 'w'.repeat(32), 'X'.repeat(32), `${canonical}0`, 'a', ''];
    const derived = others.map((parent) => deriveItemId(parent, 0));
    expect(new Set([...derived, deriveItemId(canonical, 0)]).size).toBe(others.length + 1);
    expect(others.map((parent) => deriveItemId(parent, 0))).toEqual(derived);
    for (const id of derived) expect(id).toMatch(hex32);
  });

  it('do not collide across a large tree of derivations', () => {
    const seen = new Set<string>();
    let level = [startItemId('tree')];
    for (let depth = 0; depth < 3; depth++) {
      const next: string[] = [];
      for (const parent of level) for (let i = 0; i < 60; i++) next.push(deriveItemId(parent, i));
      for (const id of next) seen.add(id);
      level = next;
    }
    expect(seen.size).toBe(60 + 60 ** 2 + 60 ** 3);
  });
});
