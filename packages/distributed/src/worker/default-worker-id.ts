import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A worker id unique across machines and restarts: host name, process id and a random suffix, so two
 * workers in one process (a pool) or two processes reusing a pid never share heartbeats or leases.
 */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
