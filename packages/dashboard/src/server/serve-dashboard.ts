import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDashboardApp } from './create-dashboard-app.js';
import type { DashboardServer, ServeDashboardOptions } from './dashboard-options.js';
import { assertBindAllowed, isLoopback } from './security.js';

/** The dashboard's default port. */
export const DEFAULT_DASHBOARD_PORT = 4400;

/**
 * Serves the dashboard over HTTP and resolves once it listens.
 *
 * @remarks
 * Binds `127.0.0.1` unless told otherwise; any other interface needs `token` (a `ValidationError`
 * otherwise, before anything listens). `close()` ends live streams and stops polling, but leaves the
 * backend open: it belongs to the caller.
 *
 * @example
 * ```ts
 * const dashboard = await serveDashboard({ backend, workflows: [orderFlow] });
 * console.log(`dashboard at ${dashboard.url}`);
 * process.once('SIGINT', () => void dashboard.close());
 * ```
 */
export async function serveDashboard(options: ServeDashboardOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  assertBindAllowed(host, options.token);
  const dashboard = createDashboardApp(options, { loopback: isLoopback(host) });
  const server = serve({ fetch: dashboard.app.fetch, hostname: host, port });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    await dashboard.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}/`,
    token: dashboard.token,
    close() {
      closing ??= (async () => {
        await dashboard.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Live streams hold connections open; they end above, but do not wait on stragglers.
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      })();
      return closing;
    },
  };
}
