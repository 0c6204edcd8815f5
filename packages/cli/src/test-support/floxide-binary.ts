import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The app directory: the binary runs there so `src/test-support/workflows.ts` resolves like a user's module. */
export const APP_DIR = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/floxide.js', import.meta.url));

/** What one invocation of the binary produced. */
export interface BinaryResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `floxide <args>` as a child process with extra environment variables. */
export function floxide(args: readonly string[], env: Record<string, string>): Promise<BinaryResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: APP_DIR, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A long-running `floxide` process (a worker), with its output collected. */
export interface RunningBinary {
  readonly child: ChildProcess;
  stdout(): string;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `floxide <args>` and keeps it running. */
export function spawnFloxide(args: readonly string[], env: Record<string, string>): RunningBinary {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: APP_DIR, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    async waitFor(text, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (child.exitCode !== null) throw new Error(`floxide exited early (${child.exitCode}): ${err}`);
        if (Date.now() > until) throw new Error(`timed out waiting for "${text}"; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Loads a driver the way the backends do (resolved from the backend package), for test cleanup only:
 * the CLI itself never talks to a driver directly.
 */
export function driverOf<T>(backendPackage: string, driver: string): T {
  return createRequire(import.meta.resolve(backendPackage))(driver) as T;
}
