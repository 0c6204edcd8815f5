import { isFloxideError } from '@floxide/core';

/**
 * A usage error detected by the CLI itself (bad JSON, unknown module export, missing option).
 *
 * @remarks Printed as one line on stderr with exit code 2, never with a stack trace.
 */
export class CliUsageError extends Error {
  /** Process exit code for usage errors, as commander uses for its own. */
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

// Credentials in URLs (`scheme://user:password@host`) and `password=...` pairs are masked before anything
// reaches the terminal: a backend error that quotes its connection string must not leak it.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;
const PASSWORD_PAIRS = /(password|passwd|pwd)=([^\s&;]+)/gi;

/** Masks credentials in `text`, plus every literal secret given (e.g. the connection URLs in use). */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out.replace(URL_CREDENTIALS, '$1***@').replace(PASSWORD_PAIRS, '$1=***');
}

/** Options of {@link formatCliError}. */
export interface FormatErrorOptions {
  /** Append the stack trace (and causes) after the one-line message. */
  readonly verbose: boolean;
  /** Literal strings to mask (connection URLs in use). */
  readonly secrets?: readonly string[];
}

/** Renders an error as the CLI prints it: one line `floxide: <message> [CODE]`, plus stack when verbose. */
export function formatCliError(error: unknown, options: FormatErrorOptions): string {
  const secrets = options.secrets ?? [];
  const message = error instanceof Error ? error.message : String(error);
  const code = isFloxideError(error) ? ` [${error.code}]` : '';
  const issues = validationIssues(error);
  const headline =
    issues.length === 0 ? firstLine(message) : firstLine(message.split(/: \[|:\s*\n/)[0] ?? message);
  let text = `floxide: ${redactSecrets(headline, secrets)}${code}\n`;
  // Schema errors: one `path: message` line per issue instead of zod's JSON issue array.
  for (const issue of issues) text += `  ${redactSecrets(`${issue.path}: ${issue.message}`, secrets)}\n`;
  if (options.verbose) {
    let current: unknown = error;
    while (current instanceof Error) {
      text += redactSecrets(`${current.stack ?? current.message}\n`, secrets);
      current = current.cause;
      if (current !== undefined) text += 'caused by: ';
    }
  }
  return text;
}

/** One schema problem, as the CLI prints it. */
export interface IssueLine {
  /** `urls[0].host`, or `(input)` for the value itself. */
  readonly path: string;
  readonly message: string;
}

/** The issues of a `ValidationError` (by code, so a copy of core from another install counts too). */
export function validationIssues(error: unknown): IssueLine[] {
  if (!isFloxideError(error) || error.code !== 'VALIDATION') return [];
  const issues = (error as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return [];
  return issues.map((issue: { path?: readonly PathSegment[]; message?: string }) => ({
    path: formatPath(issue.path ?? []),
    message: firstLine(issue.message ?? 'invalid'),
  }));
}

// A Standard Schema issue path holds keys or `{ key }` segments (Valibot and others use the latter).
type PathSegment = PropertyKey | { readonly key: PropertyKey };

function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(input)';
  return path
    .map((segment, i) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`;
    })
    .join('');
}

/** Exit code for an error: 2 for usage errors, 1 for everything else. */
export function exitCodeFor(error: unknown): number {
  return error instanceof CliUsageError ? error.exitCode : 1;
}

// Multi-line messages (zod issue lists, definition problems) are folded into one line, capped in length.
function firstLine(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  if (line === '') return 'unknown error';
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}
