import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { assertBindAllowed, bearerToken, tokenMatches } from '../server/security.js';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  readonly registry: Registry;
  /** Interface to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** Port (default 9464, the usual exporter port; 0 picks a free one). */
  readonly port?: number;
  /**
   * Bearer token scrapers must send. Required to bind anything but loopback: metrics name workflows and
   * nodes, which are nobody else's business.
   */
  readonly token?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The scrape URL, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a registry at `/metrics` from a worker process (the dashboard has its own `/metrics`).
 *
 * @example
 * ```ts
 * const endpoint = await serveMetrics({ registry: metrics.registry, port: 9464 });
 * ```
 */
export async function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  assertBindAllowed(host, options.token);
  const token = options.token;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    if (token !== undefined && !tokenMatches(bearerToken(request.headers.authorization), token)) {
      response.writeHead(401).end();
      return;
    }
    options.registry.metrics().then(
      (body) => response.writeHead(200, { 'Content-Type': options.registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
