import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { workflow } from '../workflow/workflow-builder.js';
import { context } from './context-definition.js';
import { counter, eventLog, fixed, reducer, register } from './context-fields.js';
import { applyFieldCommitsInPlace, contextLayout, planFieldCommits } from './field-commits.js';

const Ctx = context({
  seen: eventLog(z.string()),
  expected: fixed(z.number()),
  hits: counter(),
  status: register(z.string()),
  total: reducer(z.number(), (state: number, op: number) => state * 10 + op, { initial: 0 }),
});
const wf = workflow({ name: 'plan', context: Ctx })
  .start(node({ name: 'x', process: (n: number) => n }))
  .build();

describe('planFieldCommits', () => {
  it('groups operations per field: summed adds, deduplicated appends, last set, folded reducer', () => {
    const reads: string[] = [];
    const commits = planFieldCommits(
      wf,
      [
        { field: 'hits', op: 'add', value: 2 },
        { field: 'seen', op: 'append', value: 'a', id: 'e1' },
        { field: 'status', op: 'set', value: 'x' },
        { field: 'hits', op: 'add', value: 3 },
        { field: 'seen', op: 'append', value: 'again', id: 'e1' },
        { field: 'seen', op: 'append', value: 'b', id: 'e2' },
        { field: 'total', op: 'dispatch', value: 1 },
        { field: 'status', op: 'set', value: 'y' },
        { field: 'total', op: 'dispatch', value: 2 },
      ],
      (field) => {
        reads.push(field);
        return { state: 7, version: 4 };
      },
    );
    expect(reads).toEqual(['total']);
    expect(commits).toEqual([
      { kind: 'counter', field: 'hits', add: 5 },
      {
        kind: 'eventLog',
        field: 'seen',
        append: [
          { id: 'e1', event: 'a' },
          { id: 'e2', event: 'b' },
        ],
      },
      { kind: 'register', field: 'status', set: 'y' },
      { kind: 'reducer', field: 'total', expectedVersion: 4, state: 712 },
    ]);
  });

  it('rejects unknown and fixed fields with a ValidationError', () => {
    const none = () => ({ state: 0, version: 0 });
    expect(() => planFieldCommits(wf, [{ field: 'ghost', op: 'add', value: 1 }], none)).toThrow(
      ValidationError,
    );
    expect(() => planFieldCommits(wf, [{ field: 'expected', op: 'set', value: 1 }], none)).toThrow(
      ValidationError,
    );
  });

  it('applies in place; an event whose id is in the log is not appended again', () => {
    const state = wf.initialContext({ expected: 1 }) as Record<string, unknown>;
    const commits = planFieldCommits(
      wf,
      [
        { field: 'hits', op: 'add', value: 1 },
        { field: 'seen', op: 'append', value: 'a', id: 'e1' },
      ],
      () => ({ state: 0, version: 0 }),
    );
    applyFieldCommitsInPlace(state, commits);
    applyFieldCommitsInPlace(state, commits);
    expect(state).toMatchObject({ hits: 2, seen: [{ id: 'e1', event: 'a' }] });
  });

  it('contextLayout names every field kind', () => {
    expect(contextLayout(wf)).toEqual({
      seen: 'eventLog',
      expected: 'fixed',
      hits: 'counter',
      status: 'register',
      total: 'reducer',
    });
  });
});
