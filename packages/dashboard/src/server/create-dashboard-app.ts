import { noopLogger, ValidationError } from '@floxide/core';
import { DistributedOrchestrator, WorkflowRegistry, type RunStatus } from '@floxide/distributed';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BackendMetrics } from '../metrics/backend-metrics.js';
import type { ChangeSource, DashboardChange } from './change-source.js';
import type { DashboardAppOptions } from './dashboard-options.js';
import { apiError, failure, type ApiError } from './http-errors.js';
import { FeedChangeSource } from './feed-change-source.js';
import { queueDepth } from './queue-depth.js';
import { runDetail } from './run-detail.js';
import { searchRuns } from './run-search.js';
import { parseSignalRequest } from './signal-request.js';
import { bearerToken, isLoopbackHostHeader, randomToken, tokenMatches } from './security.js';
import { loadUi, type UiFile } from './static-ui.js';
import { workflowGraph } from './workflow-graph.js';

const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
];
const CONTROLS = {
  pause: 'pause',
  resume: 'resume',
  cancel: 'cancel',
  'retry-failed': 'retryFailed',
} as const;
const KEEPALIVE_MS = 15_000;

/** Where the app runs: decides which `Host` headers it accepts. */
export interface DashboardAppPlacement {
  /** Bound to loopback: requests naming another host are refused (DNS rebinding). Default true. */
  readonly loopback?: boolean;
  /** Directory of the built front end (default: this package's `dist/ui`). */
  readonly uiDir?: string;
}

/** The dashboard as a Hono app, before it listens anywhere (tests call `app.request` on it directly). */
export interface DashboardApp {
  readonly app: Hono;
  /** The token state-changing requests must carry: the user's, or a random one the page receives. */
  readonly token: string;
  /** Ends live streams and stops polling. Does not close the backend. */
  close(): Promise<void>;
}

/**
 * Builds the dashboard: the JSON API over the backend, the live-update stream, `/metrics`, and the
 * built front end.
 *
 * @remarks
 * API: `GET /api/runs?status&workflow&q&limit&cursor`, `POST /api/runs` (start), `GET /api/runs/:id`
 * (everything the run page shows) and its parts `/context`, `/output`, `/errors`, `/items`, `/metrics`,
 * `/events`; `POST /api/runs/:id/pause|resume|cancel|retry-failed`, `POST /api/runs/:id/signal`
 * `{ name, payload, signalId? }`; `GET /api/workflows`,
 * `GET /api/workers`, `GET /api/stream` (Server-Sent Events: `runs`, `workers`, `run` changes).
 * Every state-changing request needs `Authorization: Bearer <token>` — a header, which a cross-site form
 * or image cannot send, so no CSRF. With a user token, reads need it too.
 */
export function createDashboardApp(
  options: DashboardAppOptions,
  placement: DashboardAppPlacement = {},
): DashboardApp {
  const { backend } = options;
  const logger = options.logger ?? noopLogger;
  const userToken = options.token !== undefined && options.token.length > 0 ? options.token : undefined;
  const token = userToken ?? randomToken();
  const loopback = placement.loopback ?? true;
  const ui = loadUi(placement.uiDir);
  const workflows = options.workflows ?? [];
  const registry = new WorkflowRegistry(workflows);
  const orchestrator = new DistributedOrchestrator({ backend, workflows, logger });
  const changes: ChangeSource =
    options.changes ??
    new FeedChangeSource({
      backend,
      logger,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    });
  const backendMetrics = new BackendMetrics({ backend });
  const streams = new Set<() => void>();
  const app = new Hono();

  const send = (c: Context, e: ApiError): Response => c.json(e.body, e.status);

  app.onError((error, c) => {
    const e = apiError(error);
    if (e.status === 500)
      logger.error('dashboard request failed', { path: c.req.path, error: String(error) });
    return send(c, e);
  });

  app.use('*', async (c, next) => {
    if (loopback && !isLoopbackHostHeader(c.req.header('host') ?? new URL(c.req.url).host)) {
      return send(c, failure(403, 'FORBIDDEN', 'unexpected Host header'));
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
  });

  const guard = async (c: Context, next: () => Promise<void>): Promise<Response | void> => {
    const changing = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    if (
      (changing || userToken !== undefined) &&
      !tokenMatches(bearerToken(c.req.header('authorization')), token)
    ) {
      return send(c, failure(401, 'UNAUTHORIZED', 'missing or wrong token (Authorization: Bearer <token>)'));
    }
    await next();
  };
  app.use('/api/*', guard);
  app.use('/metrics', guard);

  app.get('/api/runs', async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && status !== '' && !RUN_STATUSES.includes(status as RunStatus)) {
      throw new ValidationError(`unknown status '${status}'`);
    }
    const limit = Number(c.req.query('limit') ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new ValidationError('limit must be 1..500');
    const workflow = c.req.query('workflow');
    const cursor = c.req.query('cursor');
    const q = c.req.query('q')?.trim();
    return c.json(
      await searchRuns(backend, {
        limit,
        ...(status ? { status: status as RunStatus } : {}),
        ...(workflow ? { workflow } : {}),
        ...(cursor ? { cursor } : {}),
        ...(q ? { q } : {}),
      }),
    );
  });

  app.post('/api/runs', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as
      { workflow?: unknown; input?: unknown; context?: unknown; runId?: unknown } | undefined;
    if (typeof body?.workflow !== 'string')
      throw new ValidationError('body must be JSON with a "workflow" name');
    const runId = await orchestrator.start(body.workflow, body.input, {
      ...(body.context === undefined ? {} : { context: body.context }),
      ...(typeof body.runId === 'string' ? { runId: body.runId } : {}),
    });
    return c.json({ runId }, 201);
  });

  app.get('/api/runs/:id', async (c) => {
    const detail = await runDetail(backend, registry, c.req.param('id'));
    if (detail === undefined)
      return send(c, failure(404, 'RUN_NOT_FOUND', `run ${c.req.param('id')} not found`));
    return c.json(detail);
  });
  app.get('/api/runs/:id/context', async (c) =>
    c.json(await orchestrator.versionedContext(c.req.param('id'))),
  );
  app.get('/api/runs/:id/output', async (c) => {
    const run = await orchestrator.get(c.req.param('id'));
    return c.json({ status: run.status, ...(run.output === undefined ? {} : { output: run.output }) });
  });
  app.get('/api/runs/:id/errors', async (c) => c.json(await orchestrator.errors(c.req.param('id'))));
  app.get('/api/runs/:id/items', async (c) => c.json(await orchestrator.workItems(c.req.param('id'))));
  app.get('/api/runs/:id/metrics', async (c) => c.json(await orchestrator.metrics(c.req.param('id'))));
  app.get('/api/runs/:id/events', async (c) => {
    const after = Number(c.req.query('after') ?? 0);
    if (!Number.isInteger(after) || after < 0) throw new ValidationError('after must be a sequence number');
    return c.json(await backend.events.read(c.req.param('id'), after, 1_000));
  });
  for (const [path, action] of Object.entries(CONTROLS)) {
    app.post(`/api/runs/:id/${path}`, async (c) => c.json(await backend.control(c.req.param('id'), action)));
  }
  // Answers { status: 'delivered' | 'stored' | 'duplicate' }; a finished run is a RunStateError (409).
  app.post('/api/runs/:id/signal', async (c) => {
    const request = parseSignalRequest(await c.req.json().catch(() => undefined));
    const result = await orchestrator.signal(c.req.param('id'), request.name, request.payload, {
      ...(request.signalId === undefined ? {} : { signalId: request.signalId }),
    });
    return c.json(result);
  });

  app.get('/api/workflows', (c) =>
    c.json(registry.list().map((wf) => ({ name: wf.name, version: wf.version, graph: workflowGraph(wf) }))),
  );

  app.get('/api/workers', async (c) => {
    const [workers, queue] = await Promise.all([orchestrator.liveness(), queueDepth(backend)]);
    return c.json({ workers, queue });
  });

  app.get('/api/stream', (c) => {
    const runId = c.req.query('run');
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | undefined;
      const pending: DashboardChange[] = [];
      const unsubscribe = changes.subscribe(
        (change) => {
          pending.push(change);
          wake?.();
        },
        runId === undefined ? {} : { runId },
      );
      const end = (): void => {
        unsubscribe();
        stream.abort();
        wake?.();
      };
      streams.add(end);
      stream.onAbort(() => {
        unsubscribe();
        streams.delete(end);
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted && !stream.closed) {
        const change = pending.shift();
        if (change !== undefined) {
          await stream.writeSSE({ event: change.kind, data: JSON.stringify(change) });
          continue;
        }
        let timer: NodeJS.Timeout | undefined;
        const woke = await new Promise<boolean>((resolve) => {
          wake = () => resolve(true);
          timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
        });
        clearTimeout(timer);
        wake = undefined;
        // A comment line keeps proxies from closing an idle stream.
        if (!woke && !stream.aborted) await stream.write(': keepalive\n\n');
      }
      streams.delete(end);
    });
  });

  app.get('/metrics', async (c) => {
    const { contentType, body } = await backendMetrics.scrape();
    return c.body(body, 200, { 'Content-Type': contentType });
  });

  app.get('/api/*', (c) => send(c, failure(404, 'NOT_FOUND', `no API route ${c.req.path}`)));

  app.get('*', (c) => {
    const file = ui.get(c.req.path) ?? ui.get('/index.html');
    if (file === undefined) return send(c, failure(404, 'NOT_FOUND', 'not found'));
    return file === ui.get('/index.html')
      ? page(c, file, userToken === undefined ? token : undefined)
      : asset(c, file);
  });

  return {
    app,
    token,
    async close() {
      for (const end of [...streams]) end();
      streams.clear();
      await changes.close();
    },
  };
}

function asset(c: Context, file: UiFile): Response {
  c.header('Cache-Control', 'public, max-age=31536000, immutable');
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': file.type });
}

/**
 * The front end's page. Without a user token it carries the per-process token: only a page from this
 * origin can read it (the same-origin policy keeps other sites from reading the response).
 */
function page(c: Context, file: UiFile, pageToken: string | undefined): Response {
  const html = Buffer.from(file.body).toString('utf8');
  const meta = pageToken === undefined ? '' : `<meta name="floxide-token" content="${pageToken}">`;
  c.header('Cache-Control', 'no-store');
  c.header(
    'Content-Security-Policy',
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  );
  return c.html(html.replace('<head>', `<head>${meta}`));
}
