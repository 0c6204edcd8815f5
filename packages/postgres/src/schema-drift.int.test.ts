import type { SelectType } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloxideDatabase } from './database.js';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './test-support/postgres-test-init.js';
import { PostgresBackend } from './postgres-backend.js';

/** The PostgreSQL types a column of this TypeScript (select) type may have, as information_schema names them. */
type PgTypesOf<T> = [unknown] extends [T]
  ? 'jsonb'
  : [NonNullable<T>] extends [boolean]
    ? 'boolean'
    : [NonNullable<T>] extends [number]
      ? 'integer' | 'double precision'
      : [NonNullable<T>] extends [string]
        ? 'text'
        : [string | number] extends [NonNullable<T>]
          ? 'bigint'
          : never;

/** What a Kysely column type allows in the database: its PostgreSQL type, and whether it may be null. */
interface ColumnSpec<C> {
  readonly type: PgTypesOf<SelectType<C>>;
  readonly nullable: null extends SelectType<C> ? (unknown extends SelectType<C> ? boolean : true) : false;
}

/**
 * Every table and column of the Kysely types (database.ts), with the PostgreSQL type each must have.
 * TypeScript holds this object to the Kysely types: a column added to or removed from them, or a type
 * changed to one the stated PostgreSQL type cannot hold, fails the typecheck; the test then holds the
 * migrated schema to this object.
 */
const KYSELY_COLUMNS: {
  readonly [T in keyof FloxideDatabase]: {
    readonly [K in keyof FloxideDatabase[T]]-?: ColumnSpec<FloxideDatabase[T][K]>;
  };
} = {
  runs: {
    run_id: { type: 'text', nullable: false },
    workflow: { type: 'text', nullable: false },
    version: { type: 'integer', nullable: false },
    status: { type: 'text', nullable: false },
    input: { type: 'jsonb', nullable: true },
    output: { type: 'jsonb', nullable: true },
    error: { type: 'jsonb', nullable: true },
    created_at: { type: 'bigint', nullable: false },
    started_at: { type: 'bigint', nullable: true },
    finished_at: { type: 'bigint', nullable: true },
    deadline_at: { type: 'bigint', nullable: true },
    waiting_until: { type: 'bigint', nullable: true },
    context: { type: 'jsonb', nullable: true },
    context_version: { type: 'integer', nullable: false },
    has_context: { type: 'boolean', nullable: true },
    context_split: { type: 'boolean', nullable: false },
    total_items: { type: 'integer', nullable: false },
    completed: { type: 'integer', nullable: false },
    failed: { type: 'integer', nullable: false },
    retries: { type: 'integer', nullable: false },
    event_seq: { type: 'bigint', nullable: false },
    signal_parks: { type: 'integer', nullable: false },
    parent_run_id: { type: 'text', nullable: true },
  },
  work_items: {
    run_id: { type: 'text', nullable: false },
    item_id: { type: 'text', nullable: false },
    seq: { type: 'bigint', nullable: false },
    attempt: { type: 'integer', nullable: false },
    node: { type: 'text', nullable: false },
    item: { type: 'jsonb', nullable: false },
    status: { type: 'text', nullable: false },
    queue_state: { type: 'text', nullable: false },
    visible_at: { type: 'bigint', nullable: false },
    lease_token: { type: 'text', nullable: true },
    worker_id: { type: 'text', nullable: true },
    attempts: { type: 'integer', nullable: false },
    last_error: { type: 'jsonb', nullable: true },
  },
  join_arrivals: {
    run_id: { type: 'text', nullable: false },
    join_item_id: { type: 'text', nullable: false },
    idx: { type: 'integer', nullable: false },
    total: { type: 'integer', nullable: false },
    value: { type: 'jsonb', nullable: false },
  },
  errors: {
    id: { type: 'bigint', nullable: false },
    run_id: { type: 'text', nullable: false },
    item_id: { type: 'text', nullable: false },
    node: { type: 'text', nullable: false },
    attempt: { type: 'integer', nullable: false },
    error: { type: 'jsonb', nullable: false },
    at: { type: 'bigint', nullable: false },
  },
  events: {
    run_id: { type: 'text', nullable: false },
    seq: { type: 'bigint', nullable: false },
    at: { type: 'bigint', nullable: false },
    type: { type: 'text', nullable: false },
    status: { type: 'text', nullable: true },
    item_id: { type: 'text', nullable: true },
    node: { type: 'text', nullable: true },
    attempt: { type: 'integer', nullable: true },
    error: { type: 'jsonb', nullable: true },
  },
  node_timings: {
    run_id: { type: 'text', nullable: false },
    node: { type: 'text', nullable: false },
    count: { type: 'integer', nullable: false },
    total_ms: { type: 'double precision', nullable: false },
    max_ms: { type: 'double precision', nullable: false },
  },
  workers: {
    worker_id: { type: 'text', nullable: false },
    health: { type: 'jsonb', nullable: false },
    last_heartbeat: { type: 'bigint', nullable: false },
  },
  schedules: {
    id: { type: 'text', nullable: false },
    record: { type: 'jsonb', nullable: false },
    last_tick: { type: 'bigint', nullable: true },
  },
};

/**
 * Columns of the Kysely tables that only the SQL functions use, so the Kysely types leave them out on
 * purpose. Any other column of those tables missing from the types is drift.
 */
const SQL_ONLY_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  // The claim index's lane and priority (generated from the item, migration 0011), the fair-share tag
  // (set by a trigger, read by the claim: 0019) and the change feed's writing transaction (0003).
  work_items: ['lane', 'priority', 'fair_tag'],
  events: ['tx'],
};

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_generated: string;
}

/**
 * The schema in a normalised, stable text form (the schema name written `{{schema}}`): every table's
 * columns, every index, trigger and function signature.
 */
async function normalisedSchema(
  client: pg.Client,
  schema: string,
): Promise<{ text: string; columns: ColumnRow[] }> {
  const columns = (
    await client.query<ColumnRow>(
      `select table_name, column_name, data_type, is_nullable, column_default, is_generated
       from information_schema.columns where table_schema = $1 order by table_name, column_name`,
      [schema],
    )
  ).rows;
  const indexes = (
    await client.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where schemaname = $1 order by tablename, indexname`,
      [schema],
    )
  ).rows;
  const triggers = (
    await client.query<{ def: string }>(
      `select pg_get_triggerdef(t.oid) as def from pg_trigger t join pg_class c on c.oid = t.tgrelid
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and not t.tgisinternal
       order by c.relname, t.tgname`,
      [schema],
    )
  ).rows;
  const functions = (
    await client.query<{ sig: string }>(
      `select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') returns ' ||
         pg_get_function_result(p.oid) as sig
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1
       order by p.proname, pg_get_function_identity_arguments(p.oid)`,
      [schema],
    )
  ).rows;
  const lines: string[] = [];
  let table = '';
  for (const c of columns) {
    if (c.table_name !== table) {
      table = c.table_name;
      lines.push(`table ${table}`);
    }
    const generated = c.is_generated === 'ALWAYS' ? ' generated' : '';
    const dflt = c.column_default === null ? '' : ` default ${c.column_default}`;
    lines.push(
      `  ${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}${dflt}${generated}`,
    );
  }
  lines.push('indexes', ...indexes.map((r) => `  ${r.indexdef}`));
  lines.push('triggers', ...triggers.map((r) => `  ${r.def}`));
  lines.push('functions', ...functions.map((r) => `  ${r.sig}`));
  const text = `${lines.join('\n').replaceAll(`"${schema}"`, '{{schema}}').replaceAll(schema, '{{schema}}')}\n`;
  return { text, columns };
}

describe('the migrated schema against the Kysely table types', () => {
  const schema = randomSchema();
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  let migrated: { text: string; columns: ColumnRow[] };

  beforeAll(async () => {
    const backend = new PostgresBackend({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 });
    try {
      await backend.migrate();
    } finally {
      await backend.close();
    }
    await client.connect();
    migrated = await normalisedSchema(client, schema);
  });

  afterAll(async () => {
    await client.end();
    await dropSchema(schema);
  });

  it('has every Kysely table and column, with a compatible type and nullability', () => {
    const found = new Map(migrated.columns.map((c) => [`${c.table_name}.${c.column_name}`, c]));
    const drift: string[] = [];
    for (const [table, columns] of Object.entries(KYSELY_COLUMNS)) {
      for (const [column, spec] of Object.entries(
        columns as Record<string, { type: string; nullable: boolean }>,
      )) {
        const row = found.get(`${table}.${column}`);
        if (!row) drift.push(`${table}.${column}: in database.ts, not in the migrated schema`);
        else if (row.data_type !== spec.type || (row.is_nullable === 'YES') !== spec.nullable) {
          drift.push(
            `${table}.${column}: ${row.data_type}${row.is_nullable === 'YES' ? '' : ' not null'} in the schema, ` +
              `${spec.type}${spec.nullable ? '' : ' not null'} stated here`,
          );
        }
      }
    }
    expect(drift).toEqual([]);
  });

  it('has no column in the Kysely tables that the types leave out (but the SQL-only ones)', () => {
    for (const [table, columns] of Object.entries(KYSELY_COLUMNS)) {
      const inDb = migrated.columns
        .filter((c) => c.table_name === table)
        .map((c) => c.column_name)
        .sort();
      const expected = [...Object.keys(columns), ...(SQL_ONLY_COLUMNS[table] ?? [])].sort();
      expect({ table, columns: inDb }).toEqual({ table, columns: expected });
    }
  });

  it('matches the committed snapshot of the normalised schema (update: vitest run -u)', async () => {
    await expect(migrated.text).toMatchFileSnapshot('./test-support/schema.snapshot.txt');
  });
});
