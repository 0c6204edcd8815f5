import { useEffect } from 'preact/hooks';
import { getJson } from './api.js';
import { formatDuration, formatTime } from './format.js';
import { StatusBadge } from './status-badge.js';
import type { WorkersView } from './types.js';
import { useLive } from './use-live.js';

/** Workers with their liveness and in-flight items, and the queue's depth. */
export function WorkersPage({ onError }: { onError: (e: unknown) => void }) {
  const view = useLive(() => getJson<WorkersView>('/api/workers'), 'workers', ['workers', 'runs']);
  useEffect(() => {
    if (view.error !== undefined) onError(view.error);
  }, [view.error]);
  const queue = view.data?.queue;
  return (
    <section>
      <div class="toolbar">
        <h1>Workers</h1>
      </div>
      <div class="stats">
        <div class="stat card" data-stat="waiting">
          <span class="value">{queue?.waiting ?? '—'}</span>
          <span class="label">items waiting</span>
        </div>
        <div class="stat card" data-stat="leased">
          <span class="value">{queue?.leased ?? '—'}</span>
          <span class="label">items leased</span>
        </div>
        <div class="stat card" data-stat="runs">
          <span class="value">{queue?.runs ?? '—'}</span>
          <span class="label">unfinished runs{queue?.partial ? ' (partial count)' : ''}</span>
        </div>
        <div class="stat card" data-stat="alive">
          <span class="value">
            {view.data?.workers.filter((w) => w.status === 'alive' && w.worker.status !== 'stopped').length ??
              '—'}
          </span>
          <span class="label">workers alive</span>
        </div>
      </div>
      <table class="workers">
        <thead>
          <tr>
            <th>Worker</th>
            <th>Liveness</th>
            <th>State</th>
            <th>Host / pid</th>
            <th>In flight</th>
            <th class="num">Processed</th>
            <th class="num">Errors</th>
            <th>Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {(view.data?.workers ?? []).map(({ worker, status, ageMs }) => (
            <tr data-worker-id={worker.workerId}>
              <td class="mono nowrap">{worker.workerId}</td>
              <td>
                <StatusBadge status={status} />
              </td>
              <td>{worker.status}</td>
              <td class="nowrap">
                {worker.host} / {worker.pid}
              </td>
              <td class="mono small" title={worker.currentItems.join('\n')}>
                {worker.currentItems.length === 0
                  ? '—'
                  : worker.currentItems.map((id) => (id.length > 12 ? `${id.slice(0, 12)}…` : id)).join(', ')}
              </td>
              <td class="num">{worker.processed}</td>
              <td class="num">{worker.errors}</td>
              <td>
                {formatTime(worker.lastHeartbeat)} <span class="muted">({formatDuration(ageMs)} ago)</span>
              </td>
            </tr>
          ))}
          {view.data !== undefined && view.data.workers.length === 0 ? (
            <tr>
              <td colSpan={8} class="empty">
                No worker has reported yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
