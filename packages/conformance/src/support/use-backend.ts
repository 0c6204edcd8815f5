import { afterEach, beforeEach } from 'vitest';
import type { Backend } from '@floxide/distributed';
import { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from './backend-test-init.js';

/**
 * Registers hooks giving every test of the enclosing `describe` a fresh backend, destroyed afterwards.
 *
 * @remarks
 * Call it inside a `describe` block; the returned getter throws when used outside a test.
 *
 * @example
 * ```ts
 * describe('my backend extras', () => {
 *   const backend = useBackend(init);
 *   it('starts empty', async () => expect(await backend().runs.list()).toEqual({ runs: [] }));
 * });
 * ```
 */
export function useBackend(init: BackendTestInit): () => Backend {
  let current: Backend | undefined;
  beforeEach(async () => {
    current = await init.create();
  }, SUITE_TEST_TIMEOUT_MS);
  afterEach(async () => {
    const backend = current;
    current = undefined;
    if (backend) await init.destroy(backend);
  }, SUITE_TEST_TIMEOUT_MS);
  return () => {
    if (!current) throw new Error(`useBackend(${init.name}): no backend outside a running test`);
    return current;
  };
}
