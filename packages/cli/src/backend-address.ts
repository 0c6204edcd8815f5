import { connect } from 'node:net';
import { BackendError } from '@floxide/core';
import { CliUsageError } from './cli-error.js';

/** Where a backend lives, as the CLI names it in messages: never the user name or password. */
export interface BackendAddress {
  /** `Redis` or `PostgreSQL`. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  /** False when the URL names a Unix socket directory (`?host=/run/postgresql`): no TCP pre-check then. */
  readonly tcp: boolean;
}

const SCHEMES = {
  redis: {
    label: 'Redis',
    protocols: ['redis:', 'rediss:'],
    port: 6379,
    flag: '--redis-url',
    example: 'redis://host:6379',
  },
  postgres: {
    label: 'PostgreSQL',
    protocols: ['postgres:', 'postgresql:'],
    port: 5432,
    flag: '--database-url',
    example: 'postgres://host:5432/database',
  },
} as const;

/**
 * Parses a backend URL into host and port. A malformed URL is a usage error that names the option but
 * never echoes the value (it may hold a password).
 */
export function backendAddress(kind: 'redis' | 'postgres', url: string): BackendAddress {
  const scheme = SCHEMES[kind];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliUsageError(`${scheme.flag} is malformed: expected a URL like ${scheme.example}`);
  }
  if (!(scheme.protocols as readonly string[]).includes(parsed.protocol)) {
    throw new CliUsageError(
      `${scheme.flag} is malformed: expected ${scheme.protocols.map((p) => `${p}//`).join(' or ')}..., got ${parsed.protocol}//...`,
    );
  }
  const port = parsed.port === '' ? scheme.port : Number(parsed.port);
  // `postgres:///db?host=/var/run/postgresql` style URLs name a socket directory, not a TCP host.
  const host = parsed.hostname === '' ? 'localhost' : parsed.hostname.replace(/^\[|\]$/g, '');
  const socketDir = parsed.searchParams.get('host');
  if (socketDir !== null && socketDir.startsWith('/'))
    return { label: scheme.label, host: socketDir, port, tcp: false };
  return { label: scheme.label, host, port, tcp: true };
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/**
 * Opens and closes one TCP connection to the backend's host:port, so an unreachable server gives a precise
 * reason at once (`connection refused`, `host not found`, no answer) instead of a driver retrying in silence.
 */
export function checkReachable(address: BackendAddress, timeoutMs: number, operation: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    const fail = (reason: string): void => {
      socket.destroy();
      reject(
        new BackendError(`${operation}: cannot reach ${address.label} at ${hostPort(address)} (${reason})`, {
          retryable: true,
        }),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      fail(REASONS[error.code ?? ''] ?? error.code ?? 'error'),
    );
  });
}

/** `host:port`, with brackets around IPv6 hosts. */
export function hostPort(address: BackendAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
