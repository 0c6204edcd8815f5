import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@floxide/core';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether `host` is a loopback interface, the only kind the dashboard binds without a token. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses to bind a non-loopback interface without a token (`ValidationError`). */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (!isLoopback(host) && (token === undefined || token.length === 0)) {
    throw new ValidationError(
      `the dashboard binds ${host} only with a token: pass token (or bind 127.0.0.1)`,
    );
  }
}

/** A random token for state-changing requests when the user gave none. */
export function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Compares a presented token with the expected one in constant time. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a `Host` header names a loopback host. A dashboard on loopback refuses other names so a page on
 * another site cannot reach it through DNS rebinding (a hostile name that resolves to 127.0.0.1).
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const host = hostHeader.startsWith('[')
    ? hostHeader.slice(1, hostHeader.indexOf(']'))
    : hostHeader.split(':')[0];
  return host !== undefined && isLoopback(host);
}
