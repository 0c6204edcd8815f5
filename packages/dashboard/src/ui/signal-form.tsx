import { useState } from 'preact/hooks';
import { postJson } from './api.js';
import { formatDuration, formatTime } from './format.js';
import type { ParkedStep, RunStatus, SignalOutcome } from './types.js';

/** What the server did with a signal, said for a person. */
const OUTCOME_TEXT: Record<SignalOutcome['status'], string> = {
  delivered: 'delivered: the waiting step runs again with it',
  stored: 'stored: no step waits for it yet; the next step of the run that waits for it takes it',
  duplicate: 'duplicate: a signal with this id was already sent, nothing changed',
};

/** Statuses in which a run can still take a signal (a finished run refuses one: 409). */
const SIGNALLABLE: readonly RunStatus[] = ['queued', 'running', 'waiting', 'paused'];

/** The JSON a payload text parses to, or why it does not parse. */
function parsePayload(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * The run's parked steps (signal, node, timeout) and a form to send a signal with a JSON payload. The
 * payload is checked as JSON here, before anything is sent; the server answers delivered / stored /
 * duplicate, or an error (409 for a finished run) shown under the form. A finished run shows only the
 * answer to the last signal sent from this page, if any (it may have finished because of it).
 */
export function SignalForm({
  runId,
  status,
  parked,
  onSent,
}: {
  runId: string;
  status: RunStatus;
  parked: readonly ParkedStep[];
  onSent: () => void;
}) {
  const names = [...new Set(parked.map((p) => p.signal))];
  const [name, setName] = useState(names[0] ?? '');
  const [payload, setPayload] = useState('{}');
  const [signalId, setSignalId] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const parsed = parsePayload(payload);
  // The first parked signal once the page learns of it (the form may render before the run parks).
  const signalName = name === '' ? (names[0] ?? '') : name;

  const send = async (): Promise<void> => {
    if (!parsed.ok || signalName.trim() === '') return;
    setBusy(true);
    setResult(undefined);
    try {
      const body = { name: signalName, payload: parsed.value, ...(signalId ? { signalId } : {}) };
      const outcome = await postJson<SignalOutcome>(`/api/runs/${encodeURIComponent(runId)}/signal`, body);
      setResult({ ok: true, text: `Signal '${signalName}' ${OUTCOME_TEXT[outcome.status]}.` });
    } catch (error) {
      setResult({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(false);
      onSent();
    }
  };

  const resultLine =
    result === undefined ? null : (
      <p class={result.ok ? 'signal-result' : 'error-text signal-result'} role="status">
        {result.text}
      </p>
    );
  if (!SIGNALLABLE.includes(status)) {
    return resultLine === null ? null : (
      <div class="card signals">
        <h2>Signals</h2>
        {resultLine}
      </div>
    );
  }

  const form = (
    <>
      <form
        class="signal-form"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label>
          Signal
          <input
            name="signal-name"
            list="signal-names"
            value={signalName}
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <datalist id="signal-names">
            {names.map((n) => (
              <option value={n} />
            ))}
          </datalist>
        </label>
        <label>
          Signal id
          <input
            name="signal-id"
            placeholder="optional: one id sent twice is delivered once"
            value={signalId}
            onInput={(e) => setSignalId(e.currentTarget.value)}
          />
        </label>
        <label class="payload">
          Payload (JSON)
          <textarea
            name="signal-payload"
            rows={4}
            spellcheck={false}
            class={parsed.ok ? '' : 'invalid'}
            value={payload}
            onInput={(e) => setPayload(e.currentTarget.value)}
          />
        </label>
        {parsed.ok ? null : <p class="error-text payload-error">Not JSON: {parsed.error}</p>}
        <div>
          <button type="submit" name="send-signal" disabled={busy || !parsed.ok || signalName.trim() === ''}>
            Send signal
          </button>
        </div>
      </form>
      {resultLine}
    </>
  );
  // Nothing waits: the form stays folded (a signal sent now is kept for a later wait).
  if (parked.length === 0) {
    return (
      <details class="card signals" open={result !== undefined}>
        <summary>
          Send a signal{' '}
          <span class="muted">(no step waits for one now; a signal sent is kept until one does)</span>
        </summary>
        {form}
      </details>
    );
  }
  return (
    <div class={`card signals${status === 'waiting' ? ' signals-waiting' : ''}`}>
      <h2>Signals</h2>
      <table class="parked">
        <thead>
          <tr>
            <th>Waiting for</th>
            <th>Step</th>
            <th>Times out</th>
          </tr>
        </thead>
        <tbody>
          {parked.map((p) => (
            <tr data-signal={p.signal}>
              <td class="mono">{p.signal}</td>
              <td>{p.node}</td>
              <td>
                {p.timeoutAt === undefined
                  ? 'never'
                  : `${formatTime(p.timeoutAt)} (in ${formatDuration(Math.max(0, p.timeoutAt - Date.now()))})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {form}
    </div>
  );
}
