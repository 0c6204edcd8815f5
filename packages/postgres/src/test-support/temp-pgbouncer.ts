import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `PGBOUNCER_BIN`, else Debian's /usr/sbin/pgbouncer, else `pgbouncer` on the PATH. */
function pgbouncerBinary(): string {
  const fromEnv = process.env['PGBOUNCER_BIN'];
  if (fromEnv) return fromEnv;
  return existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer';
}

/** A TCP port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no free port'));
      });
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Options of {@link TempPgBouncer.start}. */
export interface TempPgBouncerOptions {
  /** The PostgreSQL server behind the pooler: `postgres://user[:password]@host:port/database`. */
  readonly upstream: string;
  /** Server connections per database and user (default 8): fewer than the clients, so they are shared. */
  readonly poolSize?: number;
}

/**
 * A private PgBouncer in transaction-pooling mode on a free port, in front of `upstream`, with its own
 * configuration in a temporary directory. Never touches a system PgBouncer. As root it drops to the
 * `postgres` OS user (PgBouncer refuses to run as root).
 */
export class TempPgBouncer {
  /** Where clients connect: `postgres://<user>@127.0.0.1:<port>/<database>`. */
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #dir: string;

  private constructor(url: string, child: ChildProcess, dir: string) {
    this.url = url;
    this.#child = child;
    this.#dir = dir;
  }

  /** Writes the configuration, starts PgBouncer and resolves once it accepts connections. */
  static async start(options: TempPgBouncerOptions): Promise<TempPgBouncer> {
    const upstream = new URL(options.upstream);
    const database = decodeURIComponent(upstream.pathname.slice(1)) || 'postgres';
    const user = decodeURIComponent(upstream.username) || 'postgres';
    const password = upstream.password ? ` password=${decodeURIComponent(upstream.password)}` : '';
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'floxide-pgbouncer-'));
    const asRoot = process.getuid?.() === 0;
    const config = [
      '[databases]',
      `${database} = host=${upstream.hostname} port=${upstream.port || '5432'} dbname=${database} user=${user}${password}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // No client authentication (the pooler listens on loopback only): every client logs in as the
      // database entry's user, with its password when the upstream URL has one.
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 8}`,
      'max_client_conn = 1000',
      'ignore_startup_parameters = extra_float_digits',
      'log_connections = 0',
      'log_disconnections = 0',
      ...(asRoot ? ['user = postgres'] : []),
      '',
    ].join('\n');
    const file = join(dir, 'pgbouncer.ini');
    writeFileSync(file, config);
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
      chownSync(file, uid, gid);
    }
    const child = spawn(pgbouncerBinary(), [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const bouncer = new TempPgBouncer(`postgres://${user}@127.0.0.1:${port}/${database}`, child, dir);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (child.exitCode !== null) break;
      if (await accepts(port)) return bouncer;
      const failed = await Promise.race([
        spawnError,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
      ]);
      if (failed) {
        await bouncer.stop();
        throw new Error(`pgbouncer could not start (${failed.message}): install Debian's pgbouncer package`);
      }
    }
    await bouncer.stop();
    throw new Error(`pgbouncer did not start on port ${port}: ${stderr}`);
  }

  /** Stops PgBouncer (SIGTERM, then SIGKILL after 3 s) and deletes its directory. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
