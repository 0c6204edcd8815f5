// A commit's payload travels as a string literal (commit-message.ts). pg.escapeLiteral built it one
// character at a time: a 50 MB output took minutes of garbage collection with the worker's event loop
// blocked (chaos, issue 11). The literal must be the same and one flat string.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqlLiteral } from './sql-literal.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('sqlLiteral', () => {
  it('writes what pg.escapeLiteral writes', () => {
    for (const text of [
      '',
      'plain',
      "it's",
      "''",
      'back\\slash',
      "both ' and \\ and \\'",
      '{"a":"x\\"y","b":"ü 😀 \\u0001"}',
      '\n\t\r',
    ])
      expect(sqlLiteral(text)).toBe(pg.escapeLiteral(text));
  });

  it('costs memory in proportion to the text, not a node per character', () => {
    const chars = 8_000_000;
    const text = `${'x'.repeat(chars)}'\\`;
    gc();
    const before = process.memoryUsage().heapUsed;
    const literal = sqlLiteral(text);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(literal.length).toBe(chars + 8);
    // A flat one-byte string is about `chars` bytes; a rope of one node per character (pg.escapeLiteral)
    // retains over 20 bytes a character.
    expect(retained).toBeLessThan(4 * chars);
  });
});
