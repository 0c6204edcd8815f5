import { randomBytes } from 'node:crypto';
import { describeCliScenarios } from './test-support/cli-scenarios.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `floxide-cli-test-${randomBytes(4).toString('hex')}`;

describeCliScenarios({
  name: 'redis',
  env: { FLOXIDE_BACKEND: 'redis', REDIS_URL, FLOXIDE_PREFIX: prefix },
  async cleanup() {
    // Imported lazily, as the CLI itself does (a static import would defeat its lazy loading).
    const { RedisBackend } = await import('@floxide/redis');
    const backend = new RedisBackend({ connection: REDIS_URL, prefix });
    await backend.destroyAllData();
    await backend.close();
  },
});
