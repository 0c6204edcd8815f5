import { BackendError, isFloxideError } from '@floxide/core';
import { MemoryBackend, type Backend } from '@floxide/distributed';
import { backendAddress, checkReachable, hostPort, type BackendAddress } from './backend-address.js';
import type { BackendSettings } from './backend-settings.js';

/** How a command opens its backend. */
export interface OpenOptions {
  /** The command, in the user's words (`runs`, `retry-failed`): every connection error starts with it. */
  readonly operation: string;
  /**
   * Create or upgrade PostgreSQL tables on first use. Only `start`, `worker` and `migrate` do; read and
   * control commands never create anything and report a missing schema instead.
   */
  readonly migrate: boolean;
  /** Prove the backend answers with one read (default true); `migrate` skips it, the tables may not exist yet. */
  readonly probe?: boolean;
}

/**
 * Opens the backend the settings name and proves it is usable with one read.
 *
 * @remarks
 * Redis and PostgreSQL are imported lazily so a command on one backend never loads the other's driver.
 * A TCP pre-check names the host:port and the reason when the server cannot be reached; the first read is
 * raced against `connectTimeoutMs` so a server that accepts but never answers gives one clear error too.
 * Messages never contain the URL.
 */
export async function openBackend(settings: BackendSettings, options: OpenOptions): Promise<Backend> {
  if (settings.kind === 'memory') return new MemoryBackend();
  const address = backendAddress(
    settings.kind,
    settings.kind === 'redis' ? settings.redisUrl : settings.databaseUrl,
  );
  if (address.tcp) await checkReachable(address, settings.connectTimeoutMs, options.operation);
  const backend = await createBackend(settings, options);
  if (options.probe === false) return backend;
  try {
    await probe(backend, settings, address, options.operation);
    return backend;
  } catch (error) {
    await closeQuietly(backend);
    throw error;
  }
}

/** Creates the backend without probing it (PostgreSQL migrates on first use only when `migrate`). */
export async function createBackend(
  settings: BackendSettings,
  options: Pick<OpenOptions, 'migrate'> = { migrate: true },
): Promise<Backend> {
  switch (settings.kind) {
    case 'memory':
      return new MemoryBackend();
    case 'redis': {
      const { RedisBackend } = await import('@floxide/redis');
      return new RedisBackend({
        connection: settings.redisUrl,
        ...(settings.prefix === undefined ? {} : { prefix: settings.prefix }),
      });
    }
    case 'postgres': {
      const { PostgresBackend } = await import('@floxide/postgres');
      return new PostgresBackend({
        pool: settings.databaseUrl,
        autoMigrate: options.migrate,
        ...(settings.schema === undefined ? {} : { schema: settings.schema }),
        ...(settings.transactionPooler ? { transactionPooler: true } : {}),
        ...(settings.listenUrl === undefined ? {} : { listenConnection: settings.listenUrl }),
      });
    }
  }
}

/** Closes a backend, ignoring errors: used on paths that already report a more useful error. */
export async function closeQuietly(backend: Backend): Promise<void> {
  try {
    await backend.close();
  } catch {
    // The command's own outcome (or error) is what the user needs to see.
  }
}

// SQLSTATEs of a schema or table that does not exist: the tables were never created (`floxide migrate`).
const MISSING_SCHEMA = /\((42P01|3F000)\)/;

async function probe(
  backend: Backend,
  settings: BackendSettings,
  address: BackendAddress,
  operation: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const where = `${address.label} at ${hostPort(address)}`;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new BackendError(
          `${operation}: cannot reach ${where} (no answer within ${settings.connectTimeoutMs} ms)`,
          {
            retryable: true,
          },
        ),
      );
    }, settings.connectTimeoutMs);
  });
  try {
    await Promise.race([backend.runs.get('floxide-cli-probe'), timeout]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (settings.kind === 'postgres' && MISSING_SCHEMA.test(message)) {
      throw new BackendError(
        `${operation}: no Floxide tables in schema "${settings.schema ?? 'floxide'}" of ${where}: ` +
          'run `floxide migrate` to create them',
        { cause: error },
      );
    }
    if (isFloxideError(error) && message.startsWith(`${operation}:`)) throw error;
    throw new BackendError(`${operation}: ${where} failed: ${firstLine(message)}`, {
      cause: error,
      retryable: isFloxideError(error) ? error.retryable : true,
    });
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
