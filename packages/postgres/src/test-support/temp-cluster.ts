import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Finds the directory of `initdb` / `pg_ctl`: `PG_BIN`, else the newest /usr/lib/postgresql/<v>/bin. */
function binDir(): string {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('initdb not found: install PostgreSQL server binaries or set PG_BIN');
}

/**
 * A throw-away PostgreSQL cluster on its own port (trust auth), for tests that restart the server. Never
 * touches the shared server. As root the binaries run as the `postgres` OS user (initdb refuses root).
 */
export class TempCluster {
  readonly port: number;
  readonly #dir: string;
  readonly #bin = binDir();
  readonly #asPostgres = process.getuid?.() === 0;

  constructor(port: number) {
    this.port = port;
    this.#dir = mkdtempSync(join(tmpdir(), 'floxide-pg-'));
    if (this.#asPostgres) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.#dir, uid, gid);
      chmodSync(this.#dir, 0o700);
    }
    this.#run('initdb', ['-D', this.#dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  /** postgres://postgres@127.0.0.1:<port>/postgres */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.#run('pg_ctl', ['-D', this.#dir, '-o', options, '-l', join(this.#dir, 'log'), '-w', 'start']);
  }

  /**
   * Stops the server: `fast` (the default) disconnects clients and shuts down cleanly, `immediate` quits
   * without a checkpoint (a crash: the next start replays the WAL).
   */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.#run('pg_ctl', ['-D', this.#dir, '-m', mode, '-w', 'stop']);
  }

  /** Stops the server if it runs and deletes its files. */
  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #run(tool: string, args: string[]): void {
    const path = join(this.#bin, tool);
    if (this.#asPostgres)
      execFileSync('runuser', ['-u', 'postgres', '--', path, ...args], { stdio: 'ignore' });
    else execFileSync(path, args, { stdio: 'ignore' });
  }
}
