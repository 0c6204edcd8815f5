import Table from 'cli-table3';
import type { CliIo } from './cli-io.js';

/** Writes `value` as one pretty-printed JSON document (for `--json`). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes one compact JSON line (for streamed `--json` output such as `watch`). */
export function printJsonLine(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Writes rows as a table; prints `empty` instead when there are none. */
export function printTable(
  io: CliIo,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  empty: string,
): void {
  if (rows.length === 0) {
    io.stdout.write(`${empty}\n`);
    return;
  }
  // No colours: output is also read by scripts and CI logs.
  const table = new Table({
    head: [...head],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push([...row]);
  io.stdout.write(`${table.toString()}\n`);
}

/** Writes `key: value` lines, aligned. */
export function printFields(io: CliIo, fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) io.stdout.write(`${`${key}:`.padEnd(width + 2)}${value}\n`);
}

/** An epoch-ms timestamp as ISO text, or `-` when absent. */
export function formatTime(at: number | undefined): string {
  return at === undefined ? '-' : new Date(at).toISOString();
}

/** A duration in ms as `850ms`, `12.3s` or `4m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** A JSON value shortened to `max` characters for table cells. */
export function preview(value: unknown, max = 60): string {
  if (value === undefined) return '-';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
