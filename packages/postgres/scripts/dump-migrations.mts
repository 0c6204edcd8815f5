// Prints, as JSON, the SQL every migration of `floxideMigrations` executes, with the schema written as the
// placeholder `{{schema}}`: `{ "<name>": { "up": ["<script>", ...], "down": [...] } }`. Nothing connects to
// a database (a recording Kysely driver collects the statements).
//
// Used to turn a migration written in TypeScript into a .sql file (see the package README):
//   pnpm --filter @floxide/postgres exec tsx scripts/dump-migrations.mts 0017_my_change
// prints the up (and down) SQL of that migration, ready to paste into src/migrations/sql/0017_my_change.sql.
import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { floxideMigrations } from '../src/migrations/migration-provider.js';

const SCHEMA_PLACEHOLDER = '{{schema}}';

let recorded: string[] = [];

const connection: DatabaseConnection = {
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (query.parameters.length > 0) throw new Error(`a migration ran a query with parameters: ${query.sql}`);
    recorded.push(query.sql);
    return Promise.resolve({ rows: [] });
  },
  streamQuery() {
    throw new Error('a migration streamed a query');
  },
};

const driver: Driver = {
  init: () => Promise.resolve(),
  acquireConnection: () => Promise.resolve(connection),
  beginTransaction: () => Promise.resolve(),
  commitTransaction: () => Promise.resolve(),
  rollbackTransaction: () => Promise.resolve(),
  releaseConnection: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
};

const db = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const only = process.argv[2];
const out: Record<string, { up: string[]; down?: string[] }> = {};
for (const [name, migration] of Object.entries(floxideMigrations(SCHEMA_PLACEHOLDER))) {
  if (only && name !== only) continue;
  recorded = [];
  await migration.up(db);
  const up = recorded;
  let down: string[] | undefined;
  if (migration.down) {
    recorded = [];
    await migration.down(db);
    down = recorded;
  }
  out[name] = down ? { up, down } : { up };
}
await db.destroy();
if (only && !out[only]) throw new Error(`no migration named ${only}`);
console.log(JSON.stringify(out, null, 2));
