import type { RunStatus } from '@floxide/distributed';

/** One stored run of the run-list scenario: what listing reads (no queue state). */
export interface SyntheticRun {
  readonly runId: string;
  readonly workflow: string;
  readonly status: RunStatus;
  readonly createdAt: number;
}

/** Workflows the runs are spread over, round robin. */
export const WORKFLOWS = 10;
/** The runs' creation times span this window, ending at `now`. */
const SPAN_MS = 30 * 24 * 3_600_000;

/** A 32-bit mix of `n` (deterministic: the same store on every backend and every run of the bench). */
function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The status mix of a deployment that has run for a while: 80% completed, 5% failed, 5% cancelled,
 * 5% running, 4% queued, 1% paused.
 */
function statusOf(h: number): RunStatus {
  const r = h % 1000;
  if (r < 800) return 'completed';
  if (r < 850) return 'failed';
  if (r < 900) return 'cancelled';
  if (r < 950) return 'running';
  if (r < 990) return 'queued';
  return 'paused';
}

/**
 * `count` runs created evenly over the 30 days before `now` (oldest first), with random-looking hex run
 * ids (`run-` + 16 hex digits, so prefix searches hit runs all over the store), the status mix above and
 * {@link WORKFLOWS} workflows.
 */
export function syntheticRuns(count: number, now: number): SyntheticRun[] {
  const step = SPAN_MS / count;
  const runs: SyntheticRun[] = new Array<SyntheticRun>(count);
  for (let i = 0; i < count; i += 1) {
    const a = mix(i);
    const b = mix(i + 0x5bd1e995);
    runs[i] = {
      runId: `run-${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`,
      workflow: `wf-${i % WORKFLOWS}`,
      status: statusOf(mix(i ^ 0x27d4eb2d)),
      createdAt: Math.floor(now - SPAN_MS + i * step),
    };
  }
  return runs;
}
