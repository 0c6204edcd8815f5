import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributedOrchestrator, type RunInfo } from '@floxide/distributed';
import type { RunDetail } from '../server/run-detail.js';
import type { DashboardBackendInit } from './backend-init.js';
import { startHarness, type Harness } from './harness.js';
import { waitFor } from './wait-for.js';
import { openGate, quickWorkflow, testWorkflows } from './workflows.js';

const TOKEN = 's3cret-dashboard-token';

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/**
 * The dashboard's JSON API on one backend: start, list, filter, search, detail, controls, workers,
 * live stream, metrics and the token rules. Every backend runs the same suite.
 */
export function describeDashboardApi(init: DashboardBackendInit): void {
  describe(`dashboard API on ${init.name}`, () => {
    let h: Harness;
    const start = async (workflow: string, input: unknown): Promise<string> => {
      const response = await h.api('/api/runs', { method: 'POST', body: { workflow, input }, token: TOKEN });
      expect(response.status).toBe(201);
      return (await json<{ runId: string }>(response)).runId;
    };
    const run = async (runId: string): Promise<RunDetail> =>
      json<RunDetail>(await h.api(`/api/runs/${runId}`, { token: TOKEN }));

    beforeAll(async () => {
      h = await startHarness(await init.create(), { token: TOKEN });
    });
    afterAll(async () => {
      await h?.close();
      if (h !== undefined) await init.destroy(h.backend);
    });

    it('refuses every API request without the token when one is set', async () => {
      expect((await h.api('/api/runs')).status).toBe(401);
      expect((await h.api('/api/runs', { token: 'wrong' })).status).toBe(401);
      expect(
        (await h.api('/api/runs', { method: 'POST', body: { workflow: 'quick', input: 1 } })).status,
      ).toBe(401);
      expect((await h.api('/metrics')).status).toBe(401);
      expect((await h.api('/api/runs', { token: TOKEN })).status).toBe(200);
    });

    it('starts runs, lists them newest first, filters by status and workflow, searches by id', async () => {
      const a = await start('quick', 2);
      const b = await start('failing', 1);
      await waitFor(
        async () => (await run(a)).run.status === 'completed' && (await run(b)).run.status === 'failed',
      );
      const all = await json<{ runs: RunInfo[] }>(await h.api('/api/runs?limit=50', { token: TOKEN }));
      expect(all.runs.map((r) => r.runId)).toEqual(expect.arrayContaining([a, b]));
      const failed = await json<{ runs: RunInfo[] }>(
        await h.api('/api/runs?status=failed', { token: TOKEN }),
      );
      expect(failed.runs.map((r) => r.runId)).toContain(b);
      expect(failed.runs.map((r) => r.runId)).not.toContain(a);
      const quick = await json<{ runs: RunInfo[] }>(
        await h.api('/api/runs?workflow=quick', { token: TOKEN }),
      );
      expect(quick.runs.every((r) => r.workflow === 'quick')).toBe(true);
      const exact = await json<{ runs: RunInfo[] }>(await h.api(`/api/runs?q=${a}`, { token: TOKEN }));
      expect(exact.runs.map((r) => r.runId)).toEqual([a]);
      const prefix = await json<{ runs: RunInfo[] }>(
        await h.api(`/api/runs?q=${b.slice(0, 8)}`, { token: TOKEN }),
      );
      expect(prefix.runs.map((r) => r.runId)).toContain(b);
      expect((await h.api('/api/runs?status=bogus', { token: TOKEN })).status).toBe(400);
    });

    it('searches by run id prefix from the backend index, in id order, page by page, with filters', async () => {
      const tag = `srch-${Math.random().toString(36).slice(2, 8)}`;
      for (const id of ['a3', 'a1', 'b1', 'a2']) {
        const response = await h.api('/api/runs', {
          method: 'POST',
          body: { workflow: 'quick', input: 1, runId: `${tag}-${id}` },
          token: TOKEN,
        });
        expect(response.status).toBe(201);
      }
      type Page = { runs: RunInfo[]; nextCursor?: string };
      const first = await json<Page>(await h.api(`/api/runs?q=${tag}-a&limit=2`, { token: TOKEN }));
      expect(first.runs.map((r) => r.runId)).toEqual([`${tag}-a1`, `${tag}-a2`]);
      expect(first.nextCursor).toBeDefined();
      const second = await json<Page>(
        await h.api(`/api/runs?q=${tag}-a&limit=2&cursor=${first.nextCursor ?? ''}`, { token: TOKEN }),
      );
      expect(second.runs.map((r) => r.runId)).toEqual([`${tag}-a3`]);
      expect(second.nextCursor).toBeUndefined();
      const none = await json<Page>(await h.api(`/api/runs?q=${tag}&workflow=failing`, { token: TOKEN }));
      expect(none.runs).toEqual([]);
    });

    it('pages through runs with the cursor', async () => {
      for (let i = 0; i < 3; i += 1) await start('quick', i);
      const first = await json<{ runs: RunInfo[]; nextCursor?: string }>(
        await h.api('/api/runs?limit=2', { token: TOKEN }),
      );
      expect(first.runs).toHaveLength(2);
      expect(first.nextCursor).toBeDefined();
      const second = await json<{ runs: RunInfo[] }>(
        await h.api(`/api/runs?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`, {
          token: TOKEN,
        }),
      );
      expect(second.runs.map((r) => r.runId)).not.toContain(first.runs[0]?.runId);
    });

    it('shows a failed run with its error, timeline and node states', async () => {
      const id = await start('failing', 1);
      await waitFor(async () => (await run(id)).run.status === 'failed');
      const detail = await run(id);
      expect(detail.run.error?.message).toContain('disk quota exceeded');
      expect(detail.errors.map((e) => e.error.message)).toContain(
        'disk quota exceeded while writing the report',
      );
      expect(detail.nodes['load']?.state).toBe('completed');
      expect(detail.nodes['explode']?.state).toBe('failed');
      expect(detail.graph?.nodes.map((n) => n.name)).toEqual(['load', 'explode']);
      const explode = detail.timeline.filter((s) => s.node === 'explode');
      expect(explode.map((s) => [s.attempt, s.result])).toEqual([
        [1, 'retrying'],
        [2, 'failed'],
      ]);
      const errors = await json<unknown[]>(await h.api(`/api/runs/${id}/errors`, { token: TOKEN }));
      expect(errors).toHaveLength(2);
    });

    it('pauses, resumes and follows a run to its output; the stream reports its changes', async () => {
      const key = `api-${init.name}-${Date.now()}`;
      const id = await start('gated', { gate: key });
      await waitFor(async () => (await run(id)).nodes['wait']?.state === 'running');
      const stream = await h.api(`/api/stream?run=${id}`, { token: TOKEN });
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      if (stream.body === null) throw new Error('the stream has no body');
      const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
      let seen = '';
      while (!seen.includes('event: ready')) seen += (await reader.read()).value ?? '';
      // Let the poller take its first look at the run, so the pause is a change it can see.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const paused = await h.api(`/api/runs/${id}/pause`, { method: 'POST', token: TOKEN });
      expect(((await paused.json()) as RunInfo).status).toBe('paused');
      while (!seen.includes('event: run')) seen += (await reader.read()).value ?? '';
      await reader.cancel();
      expect((await h.api(`/api/runs/${id}/pause`, { method: 'POST', token: TOKEN })).status).toBe(409);
      await h.api(`/api/runs/${id}/resume`, { method: 'POST', token: TOKEN });
      openGate(key);
      await waitFor(async () => (await run(id)).run.status === 'completed');
      const output = await json<{ output: unknown }>(await h.api(`/api/runs/${id}/output`, { token: TOKEN }));
      expect(output.output).toEqual({ stored: 'ABC' });
      const detail = await run(id);
      expect(Object.values(detail.nodes).every((n) => n.state === 'completed')).toBe(true);
      expect(detail.nodes['wait']?.counts.completed).toBe(3);
    });

    it('cancels a run and retries a failed one', async () => {
      const id = await start('gated', { gate: `never-${init.name}-${Date.now()}` });
      const cancelled = await json<RunInfo>(
        await h.api(`/api/runs/${id}/cancel`, { method: 'POST', token: TOKEN }),
      );
      expect(cancelled.status).toBe('cancelled');
      const failed = await start('failing', 1);
      await waitFor(async () => (await run(failed)).run.status === 'failed');
      const revived = await h.api(`/api/runs/${failed}/retry-failed`, { method: 'POST', token: TOKEN });
      expect(revived.status).toBe(200);
      await waitFor(async () => (await run(failed)).errors.length >= 3);
    });

    it('shows what a waiting run waits for and sends it the signal: delivered, duplicate, then 409', async () => {
      const id = await start('approval', { amount: 900, answerWithinMs: 60_000 });
      await waitFor(async () => (await run(id)).run.status === 'waiting');
      const listed = await json<{ runs: RunInfo[] }>(
        await h.api('/api/runs?status=waiting', { token: TOKEN }),
      );
      expect(listed.runs.map((r) => r.runId)).toContain(id);
      const detail = await run(id);
      expect(detail.run.waitingFor).toEqual(['approval']);
      expect(detail.parked).toHaveLength(1);
      expect(detail.parked[0]).toMatchObject({ node: 'ask', signal: 'approval' });
      expect(detail.parked[0]?.timeoutAt).toBeGreaterThan(Date.now() + 30_000);
      expect(detail.nodes['ask']?.state).toBe('waiting');
      expect(detail.timeline.filter((s) => s.node === 'ask').map((s) => s.result)).toEqual(['waiting']);

      // Pause and resume apply to a waiting run as to a running one (the page enables both buttons).
      const paused = await h.api(`/api/runs/${id}/pause`, { method: 'POST', token: TOKEN });
      expect(((await paused.json()) as RunInfo).status).toBe('paused');
      expect((await h.api(`/api/runs/${id}/resume`, { method: 'POST', token: TOKEN })).status).toBe(200);
      await waitFor(async () => (await run(id)).run.status === 'waiting');

      const signal = (body: unknown, withToken = true): Promise<Response> =>
        h.api(`/api/runs/${id}/signal`, { method: 'POST', body, ...(withToken ? { token: TOKEN } : {}) });
      const answer = { name: 'approval', payload: { approved: true, by: 'grace' }, signalId: `s-${id}` };
      // State-changing: refused without the token, and nothing is delivered.
      expect((await signal(answer, false)).status).toBe(401);
      expect((await run(id)).run.status).toBe('waiting');
      const bad = await signal({ payload: 1 });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
      const notJson = await fetch(new URL(`/api/runs/${id}/signal`, h.dashboard.url), {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: '{"name": "approval", "payload": {',
      });
      expect(notJson.status).toBe(400);

      const sent = await signal(answer);
      expect(sent.status).toBe(200);
      expect(await sent.json()).toMatchObject({ status: 'delivered' });
      expect(await (await signal(answer)).json()).toEqual({ status: 'duplicate' });
      await waitFor(async () => (await run(id)).run.status === 'completed');
      const done = await run(id);
      expect(done.run.output).toBe('approved by grace');
      expect(done.parked).toEqual([]);
      expect(done.nodes['ask']?.state).toBe('completed');
      const ask = done.timeline.filter((s) => s.node === 'ask');
      expect(ask.map((s) => s.result)).toEqual(['waited', 'committed']);
      expect(ask[0]?.endedAt).toBe(ask[1]?.startedAt);
      // A finished run takes no new signal: a typed RunStateError, HTTP 409.
      const late = await signal({ name: 'approval', payload: {} });
      expect(late.status).toBe(409);
      expect(((await late.json()) as { error: { code: string } }).error.code).toBe('RUN_STATE');
      expect(
        (await h.api('/api/runs/nope/signal', { method: 'POST', body: answer, token: TOKEN })).status,
      ).toBe(404);
    });

    it('keeps a signal sent before the wait (stored) and the run consumes it when it gets there', async () => {
      const key = `sig-${init.name}-${Date.now()}`;
      const id = await start('gated', { gate: key });
      const sent = await h.api(`/api/runs/${id}/signal`, {
        method: 'POST',
        body: { name: 'later', payload: { n: 1 } },
        token: TOKEN,
      });
      expect(await sent.json()).toEqual({ status: 'stored' });
      openGate(key);
      await waitFor(async () => (await run(id)).run.status === 'completed');
    });

    it("serves a run whose id holds slashes, as a child run's does (<parent>/<item>/<attempt>)", async () => {
      const orchestrator = new DistributedOrchestrator({ backend: h.backend, workflows: testWorkflows });
      const childId = `parent-${Date.now()}/${'ab'.repeat(16)}/1`;
      await orchestrator.start(quickWorkflow, 21, { runId: childId });
      await orchestrator.wait(childId, { timeoutMs: 10_000 });
      const path = `/api/runs/${encodeURIComponent(childId)}`;
      const detail = await h.api(path, { token: TOKEN });
      expect(detail.status).toBe(200);
      expect((await json<RunDetail>(detail)).run).toMatchObject({ runId: childId, status: 'completed' });
      const output = await json<{ output: unknown }>(await h.api(`${path}/output`, { token: TOKEN }));
      expect(output.output).toBe(42);
    });

    it('answers 404 for an unknown run and 400 for a bad start', async () => {
      expect((await h.api('/api/runs/nope', { token: TOKEN })).status).toBe(404);
      expect((await h.api('/api/runs/nope/pause', { method: 'POST', token: TOKEN })).status).toBe(404);
      const bad = await h.api('/api/runs', {
        method: 'POST',
        body: { workflow: 'quick', input: 'x' },
        token: TOKEN,
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
      expect(
        (await h.api('/api/runs', { method: 'POST', body: { workflow: 'nope' }, token: TOKEN })).status,
      ).toBe(404);
    });

    it('lists workers with liveness and the queue depth', async () => {
      const view = await json<{
        workers: { worker: { workerId: string }; status: string }[];
        queue: { waiting: number };
      }>(await h.api('/api/workers', { token: TOKEN }));
      const me = view.workers.find((w) => w.worker.workerId === h.worker.id);
      expect(me?.status).toBe('alive');
      expect(view.queue.waiting).toBeGreaterThanOrEqual(0);
    });

    it('serves Prometheus metrics: runs by status, workers alive, queue depth', async () => {
      const response = await h.api('/metrics', { token: TOKEN });
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(/^floxide_runs\{status="completed"\} [1-9]\d*$/m);
      expect(text).toMatch(/^floxide_runs\{status="failed"\} [1-9]\d*$/m);
      expect(text).toMatch(/^floxide_workers\{liveness="alive"\} [1-9]\d*$/m);
      expect(text).toMatch(/^floxide_queue_items\{state="waiting"\} \d+$/m);
    });
  });
}
