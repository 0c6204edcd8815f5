import { Presets, SingleBar } from 'cli-progress';
import { describeSnapshot, type ProgressReporter, type ProgressSnapshot } from './progress-snapshot.js';

/** A writable the reporters print to (process.stdout in the demo, a buffer in tests). */
export interface ReporterStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  readonly stream: ReporterStream;
  /** Non-TTY streams get one plain line at most this often (ms). */
  readonly plainEveryMs?: number;
}

/**
 * A live progress bar on a terminal; plain periodic lines elsewhere (CI logs, pipes), where a redrawn bar
 * would print escape codes and one line per redraw.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  return options.stream.isTTY === true
    ? new BarReporter(options.stream as NodeJS.WritableStream)
    : new PlainReporter(options.stream, options.plainEveryMs ?? 1_000);
}

/** The terminal reporter: one cli-progress bar over runs, with the step counters as payload. */
class BarReporter implements ProgressReporter {
  private readonly bar: SingleBar;
  private started = false;

  constructor(stream: NodeJS.WritableStream) {
    this.bar = new SingleBar(
      {
        stream,
        format:
          'runs {bar} {value}/{total} | steps {steps} | retries {retries} | failures {failures} | ' +
          'workers {workers}{kills} | {elapsed}s',
        hideCursor: true,
        barsize: 24,
      },
      Presets.shades_classic,
    );
  }

  update(snapshot: ProgressSnapshot): void {
    const payload = this.payload(snapshot);
    if (!this.started) {
      this.bar.start(snapshot.runsTotal, snapshot.runsDone, payload);
      this.started = true;
    } else {
      this.bar.update(snapshot.runsDone, payload);
    }
  }

  stop(snapshot: ProgressSnapshot): void {
    this.update(snapshot);
    this.bar.stop();
  }

  private payload(s: ProgressSnapshot): Record<string, string | number> {
    return {
      steps: s.steps,
      retries: s.retries,
      failures: s.failures,
      workers: s.workers,
      kills: s.kills > 0 ? ` (${s.kills} killed)` : '',
      elapsed: (s.elapsedMs / 1_000).toFixed(1),
    };
  }
}

/** The non-TTY reporter: a line when something changed, at most every `everyMs`, and a final line. */
class PlainReporter implements ProgressReporter {
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastLine = '';

  constructor(
    private readonly stream: ReporterStream,
    private readonly everyMs: number,
  ) {}

  update(snapshot: ProgressSnapshot): void {
    if (snapshot.elapsedMs - this.lastAt < this.everyMs) return;
    this.print(snapshot);
  }

  stop(snapshot: ProgressSnapshot): void {
    this.print(snapshot);
  }

  private print(snapshot: ProgressSnapshot): void {
    const line = describeSnapshot(snapshot);
    // The elapsed-time prefix always differs; compare the rest to skip lines that say nothing new.
    const body = line.slice(line.indexOf(']') + 1);
    if (body === this.lastLine) return;
    this.lastLine = body;
    this.lastAt = snapshot.elapsedMs;
    this.stream.write(`${line}\n`);
  }
}
