import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

/** True when the module at `moduleUrl` is the program's entry (run directly, not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** Renders an example's result for the terminal: strings as they are, everything else inspected in full. */
export function formatResult(result: unknown): string {
  return typeof result === 'string'
    ? result
    : inspect(result, { depth: null, colors: false, breakLength: 100 });
}

/**
 * When the example module is the entry point, runs its `main()` and prints the result (exit code 1 and the
 * error message on failure). Imported by tests, it does nothing.
 */
export function runMain(moduleUrl: string, main: () => Promise<unknown>): void {
  if (!isMain(moduleUrl)) return;
  main().then(
    (result) => {
      process.stdout.write(`${formatResult(result)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
