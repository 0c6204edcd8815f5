// `pnpm chaos [--size ci|full] [--backend memory|redis|postgres|all]`: the bad-input part of the chaos
// suite. Exits non-zero when any expectation is violated.
import { BACKEND_NAMES, type BackendName } from './backends.js';
import { SIZES, type ChaosSize } from './chaos-case.js';
import { runChaos } from './run-chaos.js';

function option(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline !== undefined) return inline.slice(name.length + 3);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}

async function main(): Promise<number> {
  // pnpm passes the `--` of `pnpm chaos -- --size ci` on.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const sizeName = option(args, 'size', 'full');
  const backend = option(args, 'backend', 'all');
  if (!(sizeName in SIZES)) throw new Error(`--size must be ci or full, not '${sizeName}'`);
  const backends: readonly BackendName[] =
    backend === 'all' ? BACKEND_NAMES : BACKEND_NAMES.filter((b) => b === backend);
  if (backends.length === 0)
    throw new Error(`--backend must be memory, redis, postgres or all, not '${backend}'`);
  const began = Date.now();
  const results = await runChaos({
    backends,
    size: SIZES[sizeName as ChaosSize['name']],
    print: (line) => process.stdout.write(`${line}\n`),
  });
  const failed = results.filter((r) => r.violations.length > 0);
  process.stdout.write(
    `\nchaos (bad input, ${sizeName}): ${results.length - failed.length} of ${results.length} cases held ` +
      `on ${backends.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
