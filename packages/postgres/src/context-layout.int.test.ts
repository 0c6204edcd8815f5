import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { advance, leaseBranches, stepCommit } from '@floxide/conformance';
import type { PostgresBackend } from './postgres-backend.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const LAYOUT = { hits: 'counter', seen: 'eventLog', status: 'register' } as const;

describe('PostgreSQL context layout', () => {
  let backend: PostgresBackend | undefined;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });

  afterEach(async () => {
    if (backend) await destroyTestBackend(backend);
    backend = undefined;
  });

  afterAll(async () => {
    await pool.end();
  });

  it('splits a context stored as one document (older releases) on the first read, keeping its version', async () => {
    backend = await createTestBackend();
    const [lease] = await leaseBranches(backend, 'old', 1, { context: { hits: 0, seen: [], status: null } });
    if (!lease) throw new Error('no lease');
    // What a run committed by an older release looks like: the whole context in `runs.context`, version 3.
    const state = { hits: 4, seen: [{ id: 'e1', event: 'a' }], status: 'x', extra: [1] };
    await pool.query(
      `update "${backend.schema}".runs set context = $1::jsonb, context_version = 3 where run_id = 'old'`,
      [JSON.stringify(state)],
    );
    expect(await backend.context.get('old')).toEqual({ state, version: 3 });

    const read = await backend.context.read('old', { layout: LAYOUT, fields: ['hits'], logs: { seen: 0 } });
    expect(read).toEqual({
      fields: { hits: { value: 4, version: 0 } },
      logs: { seen: [{ id: 'e1', event: 'a' }] },
    });
    const rows = await pool.query(
      `select field, log_length from "${backend.schema}".context_fields where run_id = 'old' order by field`,
    );
    expect(rows.rows).toEqual([
      { field: 'extra', log_length: null },
      { field: 'hits', log_length: null },
      { field: 'seen', log_length: '1' },
      { field: 'status', log_length: null },
    ]);
    expect(await backend.context.get('old')).toEqual({ state, version: 3 });

    const result = await backend.commit(
      stepCommit(lease, advance(), {
        fields: [
          { kind: 'counter', field: 'hits', add: 0.1 },
          {
            kind: 'eventLog',
            field: 'seen',
            append: [
              { id: 'e1', event: 'dup' },
              { id: 'e2', event: 'b' },
            ],
          },
        ],
      }),
    );
    expect(result.status).toBe('committed');
    // Double arithmetic, as JavaScript adds.
    expect(await backend.context.get('old')).toEqual({
      state: { ...state, hits: 4 + 0.1, seen: [...state.seen, { id: 'e2', event: 'b' }] },
      version: 4,
    });
    expect(await backend.context.read('old', { layout: LAYOUT, fields: [], logs: { seen: 1 } })).toEqual({
      fields: {},
      logs: { seen: [{ id: 'e2', event: 'b' }] },
    });
  });
});
