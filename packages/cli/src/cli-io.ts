/** Where the CLI writes and what it reads from its environment; injected so tests can drive it in-process. */
export interface CliIo {
  /** Normal output: tables, JSON documents, event lines. */
  readonly stdout: { write(text: string): unknown };
  /** Diagnostics: one line per error, progress notes. */
  readonly stderr: { write(text: string): unknown };
  /** Environment variables (REDIS_URL, DATABASE_URL, FLOXIDE_BACKEND, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the process receives SIGINT/SIGTERM: long-running commands stop gracefully. */
  readonly signal: AbortSignal;
  /** Reads standard input to its end (for `--input -`). */
  readStdin?(): Promise<string>;
  /** True when stdout is a terminal (live progress bars instead of plain lines). */
  readonly isTTY?: boolean;
}

/** The standard {@link CliIo} of a real process, with `signal` aborted on SIGINT/SIGTERM. */
export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
    isTTY: process.stdout.isTTY === true,
    async readStdin() {
      let text = '';
      for await (const chunk of process.stdin) text += String(chunk);
      return text;
    },
  };
}

/** Resolves once `signal` aborts (at once if it already has): how long-running commands wait for SIGINT/SIGTERM. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
