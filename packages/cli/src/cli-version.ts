import { createRequire } from 'node:module';

/** The version of this package, read from its package.json (same path from `src/` and from `dist/`). */
export function cliVersion(): string {
  const manifest = createRequire(import.meta.url)('../package.json') as { version: string };
  return manifest.version;
}
