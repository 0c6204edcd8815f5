// `pnpm chaos [--size ci|full] [--backend memory|redis|postgres|all] [--part bad-input|faults|all]
// [--only <case name part>]`: the chaos suite. Exits non-zero when any expectation is violated.
import { BACKEND_NAMES, type BackendName } from './backends.js';
import { SIZES, type ChaosSize } from './chaos-case.js';
import { FAULT_SIZES } from './faults/fault-case.js';
import type { FaultBackendName } from './faults/fault-target.js';
import { runFaults } from './faults/run-faults.js';
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
  const part = option(args, 'part', 'all');
  const only = option(args, 'only', '');
  if (!(sizeName in SIZES)) throw new Error(`--size must be ci or full, not '${sizeName}'`);
  if (!['bad-input', 'faults', 'all'].includes(part))
    throw new Error(`--part must be bad-input, faults or all, not '${part}'`);
  const backends: readonly BackendName[] =
    backend === 'all' ? BACKEND_NAMES : BACKEND_NAMES.filter((b) => b === backend);
  if (backends.length === 0)
    throw new Error(`--backend must be memory, redis, postgres or all, not '${backend}'`);
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const summary: string[] = [];
  let failed = 0;
  if (part !== 'faults') {
    const began = Date.now();
    const results = await runChaos({ backends, size: SIZES[sizeName as ChaosSize['name']], print });
    const bad = results.filter((r) => r.violations.length > 0).length;
    failed += bad;
    summary.push(
      `chaos (bad input, ${sizeName}): ${results.length - bad} of ${results.length} cases held ` +
        `on ${backends.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
  }
  // The fault cases need several processes on one store: Redis and PostgreSQL only.
  const faultBackends = backends.filter((b): b is FaultBackendName => b !== 'memory');
  if (part !== 'bad-input' && faultBackends.length > 0) {
    const began = Date.now();
    const results = await runFaults({
      backends: faultBackends,
      size: FAULT_SIZES[sizeName as ChaosSize['name']],
      print,
      ...(only ? { only } : {}),
    });
    const bad = results.filter((r) => r.violations.length > 0).length;
    failed += bad;
    summary.push(
      `chaos (faults, ${sizeName}): ${results.length - bad} of ${results.length} cases held ` +
        `on ${faultBackends.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
  }
  process.stdout.write(`\n${summary.join('\n')}\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
