import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MemoryBackend, type Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';

/** The backends the chaos suite runs on. */
export type BackendName = 'memory' | 'redis' | 'postgres';

/** Every backend name, in the order `--backend all` runs them. */
export const BACKEND_NAMES: readonly BackendName[] = ['memory', 'redis', 'postgres'];

/** A backend made for one chaos pass, and how to remove every trace of it afterwards. */
export interface ChaosBackend {
  readonly name: BackendName;
  readonly backend: Backend;
  /** Closes the backend and deletes its data (key prefix or schema). */
  dispose(): Promise<void>;
}

/** Redis URL: `REDIS_URL`, else the local default. */
export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** PostgreSQL URL: `DATABASE_URL`, else the local trust-auth default. */
export function databaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

function suffix(): string {
  return randomBytes(5).toString('hex');
}

/** A fresh, isolated backend (own key prefix or schema) of the given kind. */
export async function createBackend(name: BackendName): Promise<ChaosBackend> {
  if (name === 'memory') {
    const backend = new MemoryBackend();
    return { name, backend, dispose: () => backend.close() };
  }
  if (name === 'redis') {
    const prefix = `floxide-chaos-${suffix()}`;
    const backend = new RedisBackend({ connection: redisUrl(), prefix });
    return {
      name,
      backend,
      async dispose() {
        await backend.destroyAllData().catch(() => undefined);
        await backend.close();
      },
    };
  }
  const schema = `floxide_chaos_${suffix()}`;
  const backend = new PostgresBackend({ connectionString: databaseUrl(), schema, poolSize: 8 });
  const drop = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.end();
    }
  };
  try {
    await backend.migrate();
  } catch (error) {
    await backend.close().catch(() => undefined);
    await drop().catch(() => undefined);
    throw error;
  }
  return {
    name,
    backend,
    async dispose() {
      await backend.close();
      await drop();
    },
  };
}
