import { EXAMPLES, findExample } from './examples.js';
import { formatResult } from './run-main.js';

/**
 * `pnpm --filter @floxide/examples run example <name>`: runs one example and prints its result;
 * without a name (or with an unknown one) it lists them.
 */
async function run(name: string | undefined): Promise<number> {
  const example = name === undefined ? undefined : findExample(name);
  if (example === undefined) {
    const out = name === undefined ? process.stdout : process.stderr;
    if (name !== undefined) out.write(`unknown example "${name}"\n`);
    out.write('usage: pnpm --filter @floxide/examples run example <name>\n\nexamples:\n');
    for (const e of EXAMPLES) out.write(`  ${e.name.padEnd(18)} ${e.description} (${e.rust})\n`);
    return name === undefined ? 0 : 2;
  }
  const module = await example.load();
  process.stdout.write(`${formatResult(await module.main())}\n`);
  return 0;
}

run(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
