import type { TestProject } from 'vitest/node';
import { TempPgBouncer } from './temp-pgbouncer.js';
import { TEST_DATABASE_URL } from './test-database-url.js';

/**
 * Vitest global setup of the `pgbouncer` and `pgbouncer-crash` test projects: a private PgBouncer in transaction mode in front of
 * the test database for the project's whole run, stopped afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // 16 server connections for the ~40 clients of the suites and the crash test's workers: shared, but
  // without a queue that would turn a loaded machine's slow transactions into seconds of waiting.
  const bouncer = await TempPgBouncer.start({ upstream: TEST_DATABASE_URL, poolSize: 16 });
  project.provide('pgbouncerUrl', bouncer.url);
  return () => bouncer.stop();
}
