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

  it('appends and tail reads cost the same at 5,000 events (no scan of the log), skipping repeated ids', async () => {
    backend = await createTestBackend();
    const [lease] = await leaseBranches(backend, 'big', 1, { context: { hits: 0, seen: [] } });
    if (!lease) throw new Error('no lease');
    const s = `"${backend.schema}"`;
    await backend.context.read('big', { layout: LAYOUT, fields: ['hits'], logs: { seen: 0 } });
    await pool.query(
      `insert into ${s}.context_events (run_id, field, pos, event_id, event)
       select 'big', 'seen', i, 'old-' || i, to_jsonb(i) from generate_series(0, 4999) as i`,
    );
    await pool.query(
      `update ${s}.context_fields set log_length = 5000 where run_id = 'big' and field = 'seen'`,
    );
    // auto_explain reports the buffers each call read; a scan of the log reads thousands.
    const client = await pool.connect();
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
    client.on('notice', onNotice);
    try {
      await client.query(`load 'auto_explain'`);
      await client.query(
        `set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_buffers = on; set client_min_messages = log`,
      );
      await client.query('begin');
      await client.query(`select 1 from ${s}.runs where run_id = 'big' for update`);
      const fields = [
        {
          kind: 'eventLog',
          field: 'seen',
          append: [
            { id: 'old-7', event: 'dup' },
            { id: 'new', event: 1 },
            { id: 'new', event: 2 },
          ],
        },
      ];
      await client.query(`select ${s}.apply_context_fields('big', $1::jsonb)`, [JSON.stringify(fields)]);
      const tail = await client.query<{ r: { logs: { seen: unknown[] } } }>(
        `select ${s}.read_context('big', $1::jsonb, '[]'::jsonb, '{"seen": 4998}'::jsonb) as r`,
        [JSON.stringify(LAYOUT)],
      );
      await client.query('commit');
      expect(tail.rows[0]?.r.logs.seen).toEqual([
        { id: 'old-4998', event: 4998 },
        { id: 'old-4999', event: 4999 },
        { id: 'new', event: 1 },
      ]);
    } finally {
      client.off('notice', onNotice);
      await client.query('rollback').catch(() => undefined);
      client.release(true);
    }
    const hits = notices.map((n) => Number(/Buffers: shared hit=(\d+)/.exec(n)?.[1] ?? 0));
    expect(hits.length).toBeGreaterThan(1);
    expect(Math.max(...hits)).toBeLessThan(500);
  });
});
