import type { RunEvent, RunMetrics } from '@floxide/distributed';
import cliProgress from 'cli-progress';
import { formatDuration } from './output.js';

/** Running totals of a watched run: items done out of all items created so far, retries, failures. */
export interface ProgressCounts {
  readonly done: number;
  readonly total: number;
  readonly retries: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

/** Totals from the run's metrics (authoritative) and the time since watching began. */
export function countsOf(metrics: RunMetrics | undefined, startedAt: number, now: number): ProgressCounts {
  return {
    done: (metrics?.completed ?? 0) + (metrics?.failed ?? 0),
    total: metrics?.totalItems ?? 0,
    retries: metrics?.retries ?? 0,
    failed: metrics?.failed ?? 0,
    elapsedMs: Math.max(0, now - startedAt),
  };
}

/** The plain progress line printed when stdout is not a terminal: `3/5 items done, 1 retries, 0 failed, 1.2s`. */
export function progressLine(counts: ProgressCounts): string {
  return (
    `${counts.done}/${counts.total} items done, ${counts.retries} retries, ${counts.failed} failed, ` +
    formatDuration(counts.elapsedMs)
  );
}

/** Where progress goes: a live bar on a terminal, plain lines (at most one per `plainEveryMs`) otherwise. */
export interface ProgressView {
  update(counts: ProgressCounts): void;
  stop(): void;
}

/** A cli-progress bar on a terminal stream (items done / total, retries, failures, elapsed). */
export function barView(stream: NodeJS.WritableStream): ProgressView {
  // cli-progress is CommonJS: its classes hang off the default export under Node's ESM loader.
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} items | {retries} retries | {failed} failed | {elapsed}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 1,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(counts) {
      const payload = {
        retries: counts.retries,
        failed: counts.failed,
        elapsed: formatDuration(counts.elapsedMs),
      };
      if (!started) {
        bar.start(Math.max(counts.total, 1), counts.done, payload);
        started = true;
      }
      bar.setTotal(Math.max(counts.total, 1));
      bar.update(counts.done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Plain progress lines for logs and pipes: one when the counts change, at most one per `everyMs`. */
export function plainView(write: (text: string) => void, everyMs = 1_000): ProgressView {
  let last: ProgressCounts | undefined;
  let lastAt = -Infinity;
  let pending: ProgressCounts | undefined;
  return {
    update(counts) {
      const changed =
        last === undefined ||
        counts.done !== last.done ||
        counts.total !== last.total ||
        counts.retries !== last.retries ||
        counts.failed !== last.failed;
      if (!changed) return;
      if (counts.elapsedMs - lastAt < everyMs) {
        pending = counts;
        return;
      }
      write(`${progressLine(counts)}\n`);
      last = counts;
      lastAt = counts.elapsedMs;
      pending = undefined;
    },
    stop() {
      if (pending !== undefined) write(`${progressLine(pending)}\n`);
    },
  };
}

/** True for events after which the counts may have changed. */
export function changesCounts(event: RunEvent): boolean {
  return event.type !== 'step.started';
}
