import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/redis-cluster.sh', import.meta.url));

/** A private Redis Cluster (`tools/scripts/redis-cluster.sh`, no replicas), removed by `stop`. */
export interface PrivateCluster {
  /** The masters, `host:port` each. */
  readonly nodes: readonly string[];
  /** A new Cluster client on it (the caller closes it). */
  client(): Cluster;
  stop(): Promise<void>;
}

/** Starts a private cluster of `masters` masters on free ports and waits until it is ready. */
export async function startPrivateCluster(masters: number): Promise<PrivateCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'floxide-bench-cluster-'));
  const stop = async (): Promise<void> => {
    await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
  };
  try {
    await run('bash', [SCRIPT, 'start', dir, String(masters), '0'], { timeout: 120_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = (await readFile(join(dir, 'nodes'), 'utf8')).trim().split(',');
  const client = (): Cluster => {
    const cluster = new Cluster(
      nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    cluster.on('error', () => undefined);
    return cluster;
  };
  return { nodes, client, stop };
}
