import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Logger } from './logger.js';
import { pinoLogger } from './pino-logger.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('pinoLogger', () => {
  it('keeps the message and the fields of every level', () => {
    const { lines, stream } = capture();
    const logger: Logger = pinoLogger(pino({ level: 'debug' }, stream));
    logger.debug('leased', { itemId: 'i1' });
    logger.info('step done', { node: 'charge', attempt: 2 });
    logger.warn('lease lost');
    logger.error('commit failed', { code: 'BACKEND' });
    expect(
      lines.map(({ level, msg, node, attempt, itemId, code }) => ({
        level,
        msg,
        node,
        attempt,
        itemId,
        code,
      })),
    ).toEqual([
      { level: 20, msg: 'leased', itemId: 'i1', node: undefined, attempt: undefined, code: undefined },
      { level: 30, msg: 'step done', node: 'charge', attempt: 2, itemId: undefined, code: undefined },
      {
        level: 40,
        msg: 'lease lost',
        node: undefined,
        attempt: undefined,
        itemId: undefined,
        code: undefined,
      },
      {
        level: 50,
        msg: 'commit failed',
        code: 'BACKEND',
        node: undefined,
        attempt: undefined,
        itemId: undefined,
      },
    ]);
  });

  it('is not needed for console, which fits Logger as it is', () => {
    const logger: Logger = console;
    expect(typeof logger.info).toBe('function');
  });
});
