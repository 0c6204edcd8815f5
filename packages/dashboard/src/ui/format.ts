/** A duration in the largest unit that keeps it short: `840 ms`, `12.3 s`, `4 m 05 s`, `2 h 01 m`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} m`;
}

/** A timestamp as local date and time. */
export function formatTime(at: number | undefined): string {
  return at === undefined ? '—' : new Date(at).toLocaleString();
}

/** How long a run took, or has taken so far. */
export function runDuration(
  run: { createdAt: number; startedAt?: number; finishedAt?: number },
  now: number,
): number {
  return (run.finishedAt ?? now) - (run.startedAt ?? run.createdAt);
}

/** JSON for display: pretty-printed, `undefined` as an em dash. */
export function formatJson(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value, null, 2);
}
