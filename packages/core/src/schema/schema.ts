import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError } from '../errors/errors.js';

/**
 * A schema Floxide validates with: any Standard Schema v1 (zod 4, Valibot, ArkType, ...).
 *
 * @remarks
 * `TOutput` is what a node receives after validation (transforms applied); `TInput` what the schema
 * accepts. Floxide validates synchronously, so a schema with async checks is refused when it runs.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const n: Schema<number> = z.number();
 * ```
 */
export type Schema<TOutput = unknown, TInput = unknown> = StandardSchemaV1<TInput, TOutput>;

/** One problem a schema found: a message and, when the value is nested, where (the Standard Schema issue). */
export type SchemaIssue = StandardSchemaV1.Issue;

/**
 * Validates `value` with `schema` and returns the schema's output; throws a {@link ValidationError}
 * whose message is `what:` followed by one `- path: message` line per issue.
 */
export function parseSchema<T>(schema: Schema<T>, value: unknown, what: string): T {
  const result = schema['~standard'].validate(value);
  // Steps validate inside commits and context reads that are synchronous by design: an async schema
  // would silently race them, so it is refused with a message that says what to change.
  if (result instanceof Promise) {
    // Swallow the pending validation's own outcome: the refusal below is the error the caller sees.
    result.catch(() => undefined);
    throw new ValidationError(
      `${what}: the schema validates asynchronously; Floxide needs a synchronous schema`,
    );
  }
  if (result.issues !== undefined) {
    throw new ValidationError(`${what}:\n${formatIssues(result.issues)}`, result.issues);
  }
  return result.value;
}

/** One `- path: message` line per issue (`urls[0].host`; a root issue has no path prefix). */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .map((issue) => {
      const path = formatIssuePath(issue.path ?? []);
      return `- ${path === '' ? issue.message : `${path}: ${issue.message}`}`;
    })
    .join('\n');
}

/** `urls[0].host` from a Standard Schema path (keys or `{ key }` segments); `''` for the root. */
export function formatIssuePath(path: NonNullable<SchemaIssue['path']>): string {
  return path
    .map((segment, i) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`;
    })
    .join('');
}
