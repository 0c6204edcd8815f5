import { describe, expect, it } from 'vitest';
import { mergePage, type StreamEntry } from './feed-position.js';
import { RUN_SHARDS } from './keys.js';

const entry = (id: string): StreamEntry => [id, ['e', id]];
const start = (): string[] => Array.from({ length: RUN_SHARDS }, () => '0-0');

describe('mergePage', () => {
  it('orders the shards’ entries by stream id as numbers, ties by shard, each with the position after it', () => {
    const perShard: StreamEntry[][] = start().map(() => []);
    // As strings '10-0' < '9-0' and '5-10' < '5-9': a string comparison would get these wrong.
    perShard[0] = [entry('9-0'), entry('10-0')];
    perShard[1] = [entry('5-9'), entry('5-10')];
    perShard[2] = [entry('9-0')];
    const { entries, position } = mergePage(start(), perShard, 10);
    expect(entries.map((e) => [e.shard, e.entry[0]])).toEqual([
      [1, '5-9'],
      [1, '5-10'],
      [0, '9-0'],
      [2, '9-0'],
      [0, '10-0'],
    ]);
    expect(entries[2]?.position.split(',').slice(0, 3)).toEqual(['9-0', '5-10', '0-0']);
    expect(position.slice(0, 3)).toEqual(['10-0', '5-10', '9-0']);
  });

  it('keeps exact order for id parts beyond 2^53 (ids set by hand), and cuts the page at the limit', () => {
    const perShard: StreamEntry[][] = start().map(() => []);
    perShard[0] = [entry('1-9007199254740993'), entry('2-0')];
    perShard[1] = [entry('1-9007199254740992')];
    const { entries, position } = mergePage(start(), perShard, 2);
    expect(entries.map((e) => e.entry[0])).toEqual(['1-9007199254740992', '1-9007199254740993']);
    // '2-0' is left for the next page: the position stops at what was handed over.
    expect(position.slice(0, 2)).toEqual(['1-9007199254740993', '1-9007199254740992']);
  });
});
