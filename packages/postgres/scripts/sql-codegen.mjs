// Turns the migrations in src/migrations/*.sql into one TypeScript module,
// src/migrations/generated/sql-migrations.ts, so the package reads nothing from disk at run time (run by the
// `codegen` target: `pnpm nx run @floxide/postgres:codegen`). `--check` writes nothing and fails when the
// module is missing or stale (CI runs it).
//
// `<name>.sql` is the up script of migration `<name>`, `<name>.down.sql` its down script (optional). A file
// is a header and a body: the header is the file's leading lines that start with `---` (documentation, not
// executed); the body is executed byte for byte as one script, with `{{schema}}` replaced by the schema name.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src', 'migrations');
const outFile = join(sourceDir, 'generated', 'sql-migrations.ts');
const check = process.argv.includes('--check');

const NAME = /^\d{4}_[a-z0-9_]+$/;

/** Splits a .sql file into its header lines (without the `---`) and its body. */
function parse(file) {
  const lines = readFileSync(join(sourceDir, file), 'utf8').split('\n');
  let n = 0;
  while (n < lines.length && lines[n].startsWith('---')) n += 1;
  const header = lines.slice(0, n).map((line) => line.replace(/^--- ?/, ''));
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  if (header.length === 0)
    throw new Error(`${file}: a migration starts with a \`---\` header saying what it does`);
  return { header, body: lines.slice(n).join('\n') };
}

/** Escapes text for a template literal. */
function literal(text) {
  return text.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
}

function doc(header, indent) {
  return `${indent}/**\n${header.map((l) => (l ? `${indent} * ${l.replaceAll('*/', '*\\/')}` : `${indent} *`)).join('\n')}\n${indent} */\n`;
}

const files = readdirSync(sourceDir).filter((f) => f.endsWith('.sql'));
const names = files
  .filter((f) => !f.endsWith('.down.sql'))
  .map((f) => f.slice(0, -'.sql'.length))
  .sort();
for (const name of names)
  if (!NAME.test(name)) throw new Error(`${name}.sql: a migration is named NNNN_snake_case`);
for (const f of files) {
  if (f.endsWith('.down.sql') && !names.includes(f.slice(0, -'.down.sql'.length))) {
    throw new Error(`${f} has no up migration`);
  }
}

let entries = '';
for (const name of names) {
  const up = parse(`${name}.sql`);
  const downFile = `${name}.down.sql`;
  const down = files.includes(downFile) ? parse(downFile) : undefined;
  entries += doc(up.header, '  ');
  entries += `  '${name}': {\n    up: \`${literal(up.body)}\`,\n`;
  if (down) entries += `    down: \`${literal(down.body)}\`,\n`;
  entries += '  },\n';
}

const text =
  '// Generated from ../*.sql by scripts/sql-codegen.mjs (nx run @floxide/postgres:codegen): do not edit.\n\n' +
  '/**\n' +
  ' * The SQL of every migration by name, in order: `up` and, for some, `down`, each executed as one script\n' +
  ' * with `{{schema}}` standing for the schema name (see `migration-provider.ts`).\n' +
  ' */\n' +
  'export const SQL_MIGRATIONS: Readonly<Record<string, { readonly up: string; readonly down?: string }>> = {\n' +
  entries +
  '};\n';

if (existsSync(outFile) && readFileSync(outFile, 'utf8') === text) process.exit(0);
if (check) {
  console.error(
    'packages/postgres/src/migrations/generated/sql-migrations.ts is missing or stale (run `pnpm nx run @floxide/postgres:codegen`)',
  );
  process.exit(1);
}
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, text);
