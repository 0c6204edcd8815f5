#!/usr/bin/env node
// The `floxide` binary. Node 20 cannot run TypeScript, and the workspace packages resolve to their source
// through the "@floxide/source" export condition: so this registers a resolution hook adding that
// condition and the tsx loader, then runs the CLI in this same process (signals reach it directly, which
// the worker command's graceful shutdown relies on).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./source-condition.mjs', import.meta.url);
registerTsx();
await import('../src/main.ts');
