import { randomBytes } from 'node:crypto';
import { MemoryBackend, type Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';

/** How a dashboard test gets an isolated backend and removes it afterwards. */
export interface DashboardBackendInit {
  readonly name: string;
  create(): Promise<Backend>;
  destroy(backend: Backend): Promise<void>;
}

const suffix = (): string => randomBytes(5).toString('hex');

/** In-process backend. */
export const memoryInit: DashboardBackendInit = {
  name: 'memory',
  create: async () => new MemoryBackend(),
  destroy: (backend) => backend.close(),
};

/** Redis on `REDIS_URL` (default local), under a fresh key prefix deleted afterwards. */
export const redisInit: DashboardBackendInit = {
  name: 'redis',
  async create() {
    return new RedisBackend({
      connection: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      prefix: `fxt-dash-${suffix()}`,
      stalledIntervalMs: 100,
      sweepIntervalMs: 500,
    });
  },
  async destroy(backend) {
    const redis = backend as RedisBackend;
    await redis.destroyAllData();
    await redis.close();
  },
};

/** PostgreSQL on `DATABASE_URL` (default local `test`), in a fresh schema dropped afterwards. */
export const postgresInit: DashboardBackendInit = {
  name: 'postgres',
  async create() {
    const backend = new PostgresBackend({
      connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
      poolSize: 4,
      schema: `floxide_dash_${suffix()}`,
    });
    await backend.migrate();
    return backend;
  },
  async destroy(backend) {
    const pg = backend as PostgresBackend;
    await pg.destroyAllData();
    await pg.close();
  },
};
