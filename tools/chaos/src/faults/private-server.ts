import { TempCluster } from '@floxide/postgres/test-support/temp-cluster';
import { freePort, RedisServerProcess } from '@floxide/redis/test-support/redis-server-process';
import type { FaultBackendName } from './fault-target.js';

/** How a private server is stopped: Redis by signal, PostgreSQL by `pg_ctl -m <mode>`. */
export type StopMode = 'SIGTERM' | 'SIGKILL' | 'fast' | 'immediate';

/** The stop modes of each backend's restart case. */
export const STOP_MODES: Readonly<Record<FaultBackendName, readonly StopMode[]>> = {
  redis: ['SIGTERM', 'SIGKILL'],
  postgres: ['fast', 'immediate'],
};

/**
 * A server this process started for one restart case (own port, temp dir; the shared services are never
 * touched), through the repo's restart-test helpers: `RedisServerProcess` (AOF, `appendfsync always`) and
 * `TempCluster` (initdb in a temp dir).
 */
export interface PrivateServer {
  readonly url: string;
  stop(mode: StopMode): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

/** Starts a private server of `name`. */
export async function startPrivateServer(name: FaultBackendName): Promise<PrivateServer> {
  if (name === 'redis') {
    const server = await RedisServerProcess.start();
    return {
      url: server.url,
      stop: (mode) => server.kill(mode === 'SIGTERM' ? 'SIGTERM' : 'SIGKILL'),
      start: () => server.restart(),
      destroy: () => server.stop(),
    };
  }
  const cluster = new TempCluster(await freePort());
  cluster.start();
  return {
    url: cluster.url,
    stop: async (mode) => cluster.stop(mode === 'immediate' ? 'immediate' : 'fast'),
    start: async () => cluster.start(),
    destroy: async () => cluster.destroy(),
  };
}
