import { runDemoCli } from './demo-cli.js';

// `pnpm --filter @floxide/demo run demo [flags]` (and `npm run demo` at the root) start here.
// Interrupted, exit through process.exit so the worker fleet's exit hook kills its worker processes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const code = await runDemoCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // --dashboard keeps the dashboard up after the runs until Enter (or the end of stdin).
  holdOpen: () =>
    new Promise<void>((resolve) => {
      process.stdin.once('data', () => resolve());
      process.stdin.once('end', () => resolve());
      process.stdin.resume();
    }).finally(() => process.stdin.pause()),
});
process.exit(code);
