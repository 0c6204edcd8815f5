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

/** Parses a JSON command-line value, naming the option in the error. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliUsageError(`${option} is not valid JSON`);
  }
}
