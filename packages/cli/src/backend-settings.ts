import { CliUsageError } from './cli-error.js';

/** The backends the CLI can talk to. */
export type BackendKind = 'memory' | 'redis' | 'postgres';

/** Default Redis URL when neither `--redis-url` nor `REDIS_URL` is given. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Default PostgreSQL URL when neither `--database-url` nor `DATABASE_URL` is given. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Which backend to open and how: resolved from global options, then environment, then defaults. */
export interface BackendSettings {
  readonly kind: BackendKind;
  /** False when neither `--backend` nor `FLOXIDE_BACKEND` chose the backend (the memory default). */
  readonly configured: boolean;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Redis key prefix (backend default when absent). */
  readonly prefix?: string;
  /** PostgreSQL schema (backend default when absent). */
  readonly schema?: string;
  /** How long the first round trip may take before the backend counts as unreachable. */
  readonly connectTimeoutMs: number;
  /** PostgreSQL through a transaction-mode pooler (PgBouncer): the backend never LISTENs on its pool. */
  readonly transactionPooler: boolean;
  /** A direct PostgreSQL URL used only for LISTEN (beside a pooler); absent: the pool, or polling. */
  readonly listenUrl?: string;
}

/** The global options as commander parses them (all optional strings). */
export interface BackendOptionValues {
  readonly backend?: string;
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  readonly prefix?: string;
  readonly schema?: string;
  readonly connectTimeout?: string;
  readonly transactionPooler?: boolean;
  readonly listenUrl?: string;
}

/**
 * Resolves options > environment (`FLOXIDE_BACKEND`, `REDIS_URL`, `DATABASE_URL`, `FLOXIDE_PREFIX`,
 * `FLOXIDE_SCHEMA`, `FLOXIDE_TRANSACTION_POOLER`, `FLOXIDE_LISTEN_URL`) > defaults.
 */
export function resolveBackendSettings(
  options: BackendOptionValues,
  env: Readonly<Record<string, string | undefined>>,
): BackendSettings {
  const chosen = options.backend ?? env['FLOXIDE_BACKEND'];
  const kind = chosen ?? 'memory';
  if (kind !== 'memory' && kind !== 'redis' && kind !== 'postgres') {
    throw new CliUsageError(`unknown backend "${kind}": expected memory, redis or postgres`);
  }
  const timeout = Number(options.connectTimeout ?? '5000');
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new CliUsageError('--connect-timeout must be a positive number of milliseconds');
  }
  const prefix = options.prefix ?? env['FLOXIDE_PREFIX'];
  const schema = options.schema ?? env['FLOXIDE_SCHEMA'];
  const listenUrl = options.listenUrl ?? env['FLOXIDE_LISTEN_URL'];
  const poolerEnv = env['FLOXIDE_TRANSACTION_POOLER'];
  if (poolerEnv !== undefined && !['', '0', '1', 'true', 'false'].includes(poolerEnv)) {
    throw new CliUsageError('FLOXIDE_TRANSACTION_POOLER must be 1 or 0 (or true / false)');
  }
  return {
    kind,
    configured: chosen !== undefined,
    redisUrl: options.redisUrl ?? env['REDIS_URL'] ?? DEFAULT_REDIS_URL,
    databaseUrl: options.databaseUrl ?? env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL,
    ...(prefix === undefined ? {} : { prefix }),
    ...(schema === undefined ? {} : { schema }),
    connectTimeoutMs: timeout,
    transactionPooler: options.transactionPooler ?? (poolerEnv === '1' || poolerEnv === 'true'),
    ...(listenUrl === undefined || listenUrl === '' ? {} : { listenUrl }),
  };
}

/** The strings that must never be printed (connection URLs may carry passwords). */
export function secretsOf(settings: BackendSettings): string[] {
  return [settings.redisUrl, settings.databaseUrl, ...(settings.listenUrl ? [settings.listenUrl] : [])];
}
