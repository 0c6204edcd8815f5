import { describe, expect, it } from 'vitest';
import { node } from '../node/node.js';
import { workflow } from '../workflow/workflow-builder.js';
import { isTransition, Transition } from './transition.js';
import { NodeError, NoTerminalOutputError } from '../errors/errors.js';

const sink = node({ name: 'sink', process: (x: unknown) => x });

describe('Transition', () => {
  it('constructs branded transitions of every type', () => {
    expect(Transition.next(1)).toMatchObject({ type: 'next', output: 1 });
    expect(Transition.nextAll([1, 2])).toMatchObject({ type: 'nextAll', outputs: [1, 2] });
    expect(Transition.hold()).toMatchObject({ type: 'hold' });
    const error = new Error('x');
    expect(Transition.abort(error)).toMatchObject({ type: 'abort', error });
    expect(isTransition(Transition.hold())).toBe(true);
  });

  it('does not mistake an output with a type field for a transition', async () => {
    expect(isTransition({ type: 'next', output: 1 })).toBe(false);
    const lookalike = node({ name: 'lookalike', process: () => ({ type: 'hold' as const }) });
    const wf = workflow({ name: 'lookalike' }).start(lookalike).build();
    await expect(wf.run(undefined)).resolves.toEqual({ type: 'hold' });
  });

  it('next: a plain value and Transition.next both go to every successor', async () => {
    const plain = node({ name: 'plain', process: (n: number) => n + 1 });
    const explicit = node({ name: 'explicit', process: (n: number) => Transition.next(n * 10) });
    const wf = workflow({ name: 'next' }).start(plain).edge(plain, explicit).edge(explicit, sink).build();
    await expect(wf.run(1)).resolves.toBe(20);
  });

  it('nextAll: each output reaches the successor, first terminal output wins', async () => {
    const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n, n + 1, n + 2]) });
    const seen: number[] = [];
    const last = node({
      name: 'last',
      process: (n: number) => {
        seen.push(n);
        return n;
      },
    });
    const wf = workflow({ name: 'nextAll' }).start(fan).edge(fan, last).build();
    await expect(wf.run(5)).resolves.toBe(5);
    expect(seen).toEqual([5]);
  });

  it('hold: consumes the item; a run where everything holds ends with NoTerminalOutputError', async () => {
    const holder = node({ name: 'holder', process: () => Transition.hold() });
    const wf = workflow({ name: 'hold' }).start(holder).edge(holder, sink).build();
    await expect(wf.run(1)).rejects.toBeInstanceOf(NoTerminalOutputError);
  });

  it('abort and throw both fail the node with the given error as cause', async () => {
    const boom = new Error('boom');
    const aborting = node({ name: 'aborting', process: () => Transition.abort(boom) });
    const throwing = node({
      name: 'throwing',
      process: () => {
        throw boom;
      },
    });
    for (const start of [aborting, throwing]) {
      const error = await workflow({ name: 'abort' })
        .start(start)
        .build()
        .run(1)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeError);
      expect((error as NodeError).cause).toBe(boom);
      expect((error as NodeError).node).toBe(start.name);
      expect((error as NodeError).code).toBe('NODE_FAILED');
    }
  });
});
