import { MemoryBackend, type Backend } from '@floxide/distributed';

/** The backends the demo runs on. */
export type DemoBackendKind = 'memory' | 'redis' | 'postgres';

/** How to reach the backend; also handed to worker processes (so it must stay plain JSON). */
export interface DemoBackendConfig {
  readonly kind: DemoBackendKind;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Redis key prefix; the demo picks a fresh one per run so it never mixes with other data. */
  readonly prefix?: string;
  /** PostgreSQL schema; likewise fresh per demo run. */
  readonly schema?: string;
}

/** Creates the configured backend. Redis and PostgreSQL drivers load only when used. */
export async function createDemoBackend(config: DemoBackendConfig): Promise<Backend> {
  switch (config.kind) {
    case 'memory':
      return new MemoryBackend();
    case 'redis': {
      const { RedisBackend } = await import('@floxide/redis');
      return new RedisBackend({
        connection: config.redisUrl,
        ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
      });
    }
    case 'postgres': {
      const { PostgresBackend } = await import('@floxide/postgres');
      return new PostgresBackend({
        pool: config.databaseUrl,
        ...(config.schema === undefined ? {} : { schema: config.schema }),
      });
    }
  }
}
