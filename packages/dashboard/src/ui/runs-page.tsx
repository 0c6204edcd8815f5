import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import { formatDuration, formatTime, runDuration } from './format.js';
import { StatusBadge } from './status-badge.js';
import { RUN_STATUSES, type RunPage, type WorkflowSummary } from './types.js';
import { useLive } from './use-live.js';

const PAGE_SIZE = 25;

/** Builds the `#/runs?...` hash for a filter. */
function runsHash(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const s = search.toString();
  return s ? `#/runs?${s}` : '#/runs';
}

/** The runs list: filters, search by run id, cursor paging, updated live. */
export function RunsPage({ query, onError }: { query: URLSearchParams; onError: (e: unknown) => void }) {
  const status = query.get('status') ?? '';
  const workflow = query.get('workflow') ?? '';
  const q = query.get('q') ?? '';
  // Cursors of the pages before the current one, so "Newer" can step back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const filterKey = `${status}|${workflow}|${q}`;
  useEffect(() => setCursors([]), [filterKey]);
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);

  const workflows = useLive(() => getJson<WorkflowSummary[]>('/api/workflows'), 'workflows', []);
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (status) params.set('status', status);
  if (workflow) params.set('workflow', workflow);
  if (q) params.set('q', q);
  if (cursor) params.set('cursor', cursor);
  const runs = useLive(() => getJson<RunPage>(`/api/runs?${params.toString()}`), params.toString(), ['runs']);
  useEffect(() => {
    if (runs.error !== undefined) onError(runs.error);
  }, [runs.error]);
  const workflowNames = [...new Set((workflows.data ?? []).map((w) => w.name))];
  const now = Date.now();

  return (
    <section>
      <div class="toolbar">
        <h1>Runs</h1>
        <label>
          Status{' '}
          <select
            name="status"
            value={status}
            onChange={(e) => (location.hash = runsHash({ status: e.currentTarget.value, workflow, q }))}
          >
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Workflow{' '}
          <select
            name="workflow"
            value={workflow}
            onChange={(e) => (location.hash = runsHash({ status, workflow: e.currentTarget.value, q }))}
          >
            <option value="">any</option>
            {workflowNames.map((w) => (
              <option value={w}>{w}</option>
            ))}
          </select>
        </label>
        <form
          class="search"
          onSubmit={(e) => {
            e.preventDefault();
            location.hash = runsHash({ status, workflow, q: search.trim() });
          }}
        >
          <input
            name="q"
            type="search"
            placeholder="Run id or prefix"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
          <button type="submit">Search</button>
        </form>
      </div>
      {runs.error !== undefined ? (
        <p class="error-text">Could not load runs: {String((runs.error as Error).message)}</p>
      ) : null}
      <table class="runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Workflow</th>
            <th>Started</th>
            <th class="num">Duration</th>
          </tr>
        </thead>
        <tbody>
          {(runs.data?.runs ?? []).map((run) => (
            <tr data-run-id={run.runId} data-status={run.status}>
              <td class="mono">
                <a href={`#/runs/${encodeURIComponent(run.runId)}`}>{run.runId}</a>
              </td>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>
                {run.workflow} <span class="muted">v{run.version}</span>
              </td>
              <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
              <td class="num">{formatDuration(runDuration(run, now))}</td>
            </tr>
          ))}
          {runs.data !== undefined && runs.data.runs.length === 0 ? (
            <tr>
              <td colSpan={5} class="empty">
                No runs match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div class="pager">
        <button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button
          disabled={runs.data?.nextCursor === undefined}
          onClick={() =>
            runs.data?.nextCursor !== undefined && setCursors([...cursors, runs.data.nextCursor])
          }
        >
          Older →
        </button>
      </div>
    </section>
  );
}
