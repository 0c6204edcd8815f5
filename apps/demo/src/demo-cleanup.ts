import type { Backend } from '@floxide/distributed';
import type { DemoBackendConfig } from './demo-backend.js';

/** Both real backends can drop everything they stored: Redis its key prefix, PostgreSQL its schema. */
interface DestroyableBackend extends Backend {
  destroyAllData(): Promise<void>;
}

/**
 * Removes everything a demo run stored: its Redis keys or its PostgreSQL schema, through the backend's own
 * `destroyAllData`. Memory needs nothing. Call it before closing the backend. Failures are reported, never
 * thrown: the demo's result matters more.
 */
export async function cleanupDemoData(
  config: DemoBackendConfig,
  backend: Backend,
): Promise<string | undefined> {
  if (config.kind === 'memory') return undefined;
  try {
    await (backend as DestroyableBackend).destroyAllData();
    return undefined;
  } catch (error) {
    return `could not remove the demo data: ${error instanceof Error ? error.name : 'error'}`;
  }
}
