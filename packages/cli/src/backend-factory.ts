import { BackendError } from '@floxide/core';
import { MemoryBackend, type Backend } from '@floxide/distributed';
import type { BackendSettings } from './backend-settings.js';

/**
 * Opens the backend the settings name and proves it is reachable with one read.
 *
 * @remarks
 * Redis and PostgreSQL are imported lazily so a command on one backend never loads the other's driver.
 * Drivers retry connections on their own; the probe is raced against `connectTimeoutMs` so an unreachable
 * server gives one clear `BackendError` instead of a hang. The message never contains the URL.
 */
export async function openBackend(settings: BackendSettings): Promise<Backend> {
  const backend = await createBackend(settings);
  try {
    await probe(backend, settings);
    return backend;
  } catch (error) {
    await closeQuietly(backend);
    throw error;
  }
}

/** Creates the backend without probing it. */
export async function createBackend(settings: BackendSettings): Promise<Backend> {
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
        ...(settings.schema === undefined ? {} : { schema: settings.schema }),
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

async function probe(backend: Backend, settings: BackendSettings): Promise<void> {
  if (settings.kind === 'memory') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new BackendError(`cannot reach the ${settings.kind} backend within ${settings.connectTimeoutMs} ms`, {
          retryable: true,
        }),
      );
    }, settings.connectTimeoutMs);
  });
  try {
    await Promise.race([backend.runs.get('floxide-cli-probe'), timeout]);
  } catch (error) {
    if (error instanceof BackendError) throw error;
    throw new BackendError(`cannot reach the ${settings.kind} backend`, { cause: error, retryable: true });
  } finally {
    clearTimeout(timer);
  }
}
