import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../../tools/scripts/redis-cluster.sh', import.meta.url));

/** A private Redis Cluster started by `tools/scripts/redis-cluster.sh` in a temp directory of its own. */
export class PrivateCluster {
  readonly dir: string;
  /** The masters at start, `host:port,…`. */
  readonly nodes: string;

  private constructor(dir: string, nodes: string) {
    this.dir = dir;
    this.nodes = nodes;
  }

  /** Starts `masters` masters with `replicas` replicas each and waits until it is ready. */
  static async start(masters: number, replicas: number): Promise<PrivateCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'floxide-cluster-'));
    await run('bash', [SCRIPT, 'start', dir, String(masters), String(replicas)], { timeout: 300_000 });
    return new PrivateCluster(dir, (await readFile(join(dir, 'nodes'), 'utf8')).trim());
  }

  /** The port of the master that serves `slot` now (asked of any live master of the start). */
  async masterOf(slot: number): Promise<number> {
    for (const node of this.nodes.split(',')) {
      const probe = new Redis(Number(node.split(':')[1]), { lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        const ranges = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const range = ranges.find(([from, to]) => from <= slot && slot <= to);
        if (range) return range[2][1];
      } catch {
        // a dead node: ask the next one
      } finally {
        probe.disconnect();
      }
    }
    throw new Error(`no live master knows slot ${slot}`);
  }

  /** SIGKILLs the server on `port` (by the pid the script recorded). */
  async kill(port: number): Promise<void> {
    const pid = Number(await readFile(join(this.dir, `${port}.pid`), 'utf8'));
    process.kill(pid, 'SIGKILL');
  }

  /** Starts the killed node of `port` again: it rejoins the cluster (as a replica once failed over). */
  async restart(port: number): Promise<void> {
    await run('bash', [SCRIPT, 'restart', this.dir, String(port)], { timeout: 60_000 });
  }

  /** Kills every server and removes the directory. */
  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop', this.dir], { timeout: 60_000 });
  }
}
