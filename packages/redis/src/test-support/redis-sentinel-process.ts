import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-server-process.js';

/**
 * A private Redis Sentinel (`redis-server --sentinel`) on a free port and a temp directory, monitoring one
 * master under `name`. Stopped by its pid, never by name.
 */
export class RedisSentinelProcess {
  readonly port: number;
  readonly name: string;
  readonly #dir: string;
  readonly #child: ChildProcess;

  private constructor(port: number, name: string, dir: string, child: ChildProcess) {
    this.port = port;
    this.name = name;
    this.#dir = dir;
    this.#child = child;
  }

  /** Starts a sentinel monitoring the master on 127.0.0.1:`masterPort` and waits until it knows it. */
  static async start(masterPort: number, name = 'fxmaster'): Promise<RedisSentinelProcess> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'floxide-sentinel-'));
    const conf = join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const sentinel = new RedisSentinelProcess(port, name, dir, child);
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i += 1) {
        try {
          if (probe.status !== 'ready') await probe.connect();
          const master = (await probe.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
          if (master?.[1] === String(masterPort)) return sentinel;
        } catch {
          probe.disconnect();
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await sentinel.stop();
      throw new Error('redis sentinel did not start');
    } finally {
      probe.disconnect();
    }
  }

  /** Kills the sentinel and deletes its directory. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}
