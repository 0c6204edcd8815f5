import { useEffect, useState } from 'preact/hooks';
import { getJson, postJson } from './api.js';
import { formatDuration, formatJson, formatTime, runDuration } from './format.js';
import { GraphView } from './graph-view.js';
import { SignalForm } from './signal-form.js';
import { StatusBadge } from './status-badge.js';
import { TimelineView } from './timeline-view.js';
import type { RunDetail, RunStatus } from './types.js';
import { useLive } from './use-live.js';

interface Control {
  readonly path: string;
  readonly label: string;
  readonly from: readonly RunStatus[];
}

const CONTROLS: readonly Control[] = [
  { path: 'pause', label: 'Pause', from: ['queued', 'running', 'waiting'] },
  { path: 'resume', label: 'Resume', from: ['paused'] },
  { path: 'cancel', label: 'Cancel', from: ['queued', 'running', 'waiting', 'paused'] },
  { path: 'retry-failed', label: 'Retry failed', from: ['failed'] },
];

/** One run: controls, its graph coloured by item state, the step timeline, errors, context and output. */
export function RunPage({ runId, onError }: { runId: string; onError: (e: unknown) => void }) {
  const detail = useLive(
    () => getJson<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`),
    runId,
    ['run'],
    runId,
  );
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (detail.error !== undefined) onError(detail.error);
  }, [detail.error]);

  if (detail.data === undefined) {
    return detail.error !== undefined ? (
      <p class="error-text">
        Could not load run {runId}: {String((detail.error as Error).message)}
      </p>
    ) : (
      <p class="muted">Loading…</p>
    );
  }
  const { run, graph, nodes, timeline, errors, metrics, parked } = detail.data;
  const act = async (control: Control): Promise<void> => {
    setBusy(true);
    setActionError(undefined);
    try {
      await postJson(`/api/runs/${encodeURIComponent(runId)}/${control.path}`);
    } catch (error) {
      setActionError((error as Error).message);
    } finally {
      setBusy(false);
      detail.reload();
    }
  };

  return (
    <section class="run" data-run-id={run.runId} data-status={run.status}>
      <div class="toolbar">
        <h1 class="mono">{run.runId}</h1>
        <StatusBadge status={run.status} />
        <div class="controls">
          {CONTROLS.map((c) => (
            <button
              name={c.path}
              disabled={busy || !c.from.includes(run.status)}
              onClick={() => void act(c)}
              class={c.path === 'cancel' ? 'danger' : ''}
            >
              {c.label}
            </button>
          ))}
        </div>
      </div>
      {actionError !== undefined ? <p class="error-text">{actionError}</p> : null}
      <dl class="facts">
        <dt>Workflow</dt>
        <dd>
          {run.workflow} v{run.version}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(runDuration(run, Date.now()))}</dd>
        <dt>Items</dt>
        <dd>
          {metrics === undefined
            ? '—'
            : `${metrics.totalItems} total · ${metrics.completed} done · ${metrics.running} running · ${metrics.retries} retries · ${metrics.failed} failed`}
        </dd>
        {run.waitingFor !== undefined && run.waitingFor.length > 0 ? (
          <>
            <dt>Waiting for</dt>
            <dd class="waiting-for">signal {run.waitingFor.join(', ')}</dd>
          </>
        ) : null}
        {run.waitingUntil !== undefined && run.waitingUntil > Date.now() ? (
          <>
            <dt>Timer due</dt>
            <dd>{formatTime(run.waitingUntil)}</dd>
          </>
        ) : null}
      </dl>
      {run.error !== undefined ? (
        <div class="card run-error" role="alert">
          <strong>{run.error.code}</strong> {run.error.message}
          {run.error.stack !== undefined ? (
            <details class="error-stack">
              <summary>Stack</summary>
              <pre>{run.error.stack}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
      <SignalForm runId={run.runId} status={run.status} parked={parked} onSent={detail.reload} />
      <div class="card">
        <h2>Graph</h2>
        {graph === undefined ? (
          <p class="muted">
            This dashboard was not given workflow {run.workflow} v{run.version}, so it cannot draw its graph.
          </p>
        ) : (
          <GraphView graph={graph} nodes={nodes} />
        )}
      </div>
      <div class="card">
        <h2>Timeline</h2>
        <TimelineView steps={timeline} />
      </div>
      <div class="card">
        <h2>Errors</h2>
        {errors.length === 0 ? (
          <p class="muted">No failed attempts.</p>
        ) : (
          <table class="errors">
            <thead>
              <tr>
                <th>When</th>
                <th>Node</th>
                <th class="num">Attempt</th>
                <th>Code</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e) => (
                <tr>
                  <td>{formatTime(e.at)}</td>
                  <td>{e.node || '(run)'}</td>
                  <td class="num">{e.attempt}</td>
                  <td class="mono">{e.error.code}</td>
                  <td class="error-message">
                    {e.error.message}
                    {e.error.stack !== undefined ? (
                      <details class="error-stack">
                        <summary>Stack</summary>
                        <pre>{e.error.stack}</pre>
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="columns">
        <div class="card">
          <h2>Input</h2>
          <pre>{formatJson(run.input)}</pre>
        </div>
        <div class="card">
          <h2>
            Context{' '}
            {detail.data.contextVersion !== undefined ? (
              <span class="muted">v{detail.data.contextVersion}</span>
            ) : null}
          </h2>
          <pre class="context">{formatJson(detail.data.context)}</pre>
        </div>
        <div class="card">
          <h2>Output</h2>
          <pre class="output">{formatJson(run.output)}</pre>
        </div>
      </div>
    </section>
  );
}
