import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test PgBouncer (transaction mode) in front of the test database; '' when none runs. */
    pgbouncerUrl: string;
  }
}

/**
 * The URL of the test project's PgBouncer in transaction mode, in front of the test database (started by
 * `pgbouncer-global-setup.ts`); `undefined` in the project that connects directly.
 */
export function pgbouncerTestUrl(): string | undefined {
  return inject('pgbouncerUrl') || undefined;
}
