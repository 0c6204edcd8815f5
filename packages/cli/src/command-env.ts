import { InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-error.js';

/** What every command registration receives: the I/O and a way to set the process exit code. */
export interface CommandEnv {
  readonly io: CliIo;
  /** Sets the exit code `runCli` returns when the command finishes without throwing (default 0). */
  setExitCode(code: number): void;
}

/** A commander option parser for positive integers (commander reports the bad value itself). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** A commander option parser for non-negative integers. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/**
 * Parses a JSON command-line value; the error names the option (or file) and where the JSON breaks:
 * `--input is not valid JSON: Expected property name or '}' at line 1, column 2`.
 */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`${option} is not valid JSON: ${describeJsonError(text, error)}`);
  }
}

// V8 reports "... in JSON at position N" (or "Unexpected end of JSON input"): turned into line and column,
// which is what an editor shows.
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
  const offset = match === null ? text.length : Number(match[2]);
  const reason = match === null ? (text.trim() === '' ? 'empty input' : 'unexpected end of input') : match[1];
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `${reason} at line ${line}, column ${column}`;
}
