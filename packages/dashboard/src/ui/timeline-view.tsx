import { formatDuration } from './format.js';
import type { TimelineStep } from './types.js';

/** The duration column: still open, or how long the attempt ran (or waited for its signal). */
function durationText(s: TimelineStep): string {
  if (s.result === 'running' || s.result === 'waiting') return s.result;
  return s.result === 'waited' ? `waited ${formatDuration(s.durationMs)}` : formatDuration(s.durationMs);
}

/** The run's steps as bars on one time axis: where each attempt started, how long it took, how it ended. */
export function TimelineView({ steps }: { steps: readonly TimelineStep[] }) {
  if (steps.length === 0) return <p class="muted">No step has started yet.</p>;
  const now = Date.now();
  const start = Math.min(...steps.map((s) => s.startedAt));
  const end = Math.max(...steps.map((s) => s.endedAt ?? now));
  const span = Math.max(1, end - start);
  return (
    <table class="timeline">
      <thead>
        <tr>
          <th>Node</th>
          <th class="num">Attempt</th>
          <th class="num">Duration</th>
          <th class="bar-col">{formatDuration(span)} total</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => {
          const left = ((s.startedAt - start) / span) * 100;
          const width = Math.max(0.6, (((s.endedAt ?? now) - s.startedAt) / span) * 100);
          return (
            <tr data-node={s.node} data-result={s.result} title={s.error?.message ?? ''}>
              <td>{s.node}</td>
              <td class="num">{s.attempt}</td>
              <td class="num">{durationText(s)}</td>
              <td class="bar-col">
                <div class="track">
                  <div
                    class={`bar result-${s.result}`}
                    style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
                  />
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
