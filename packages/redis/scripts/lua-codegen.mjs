// Turns the Lua scripts in src/scripts/*.lua into TypeScript modules in src/scripts/generated/, so the
// package reads nothing from disk at run time (run by the `codegen` target: `pnpm nx run @floxide/redis:codegen`).
// `--check` writes nothing and fails when a generated module is missing, stale or left over (CI runs it).
//
// A .lua file is a header and a body. The header is the file's leading lines that start with `---`: it
// documents KEYS, ARGV and the reply, becomes the TSDoc of the generated constant and is not part of the
// script. The body is the script, byte for byte (its SHA1 is what EVALSHA runs), except that a line
// `--! include other.lua` stands for the body of other.lua (the line's text is replaced, its newline kept).
// `name-of-file.lua` becomes `NAME_OF_FILE_LUA` in `generated/name-of-file.ts`.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src', 'scripts');
const outDir = join(sourceDir, 'generated');
const check = process.argv.includes('--check');

const INCLUDE = /^--! include ([a-z0-9-]+\.lua)$/;

/** `fanout-drain.lua` → `FANOUT_DRAIN_LUA`. */
function constName(file) {
  return `${file.slice(0, -'.lua'.length).toUpperCase().replaceAll('-', '_')}_LUA`;
}

/** Splits a .lua file into its header lines (without the `---`) and its body. */
function parse(file) {
  const text = readFileSync(join(sourceDir, file), 'utf8');
  const lines = text.split('\n');
  let n = 0;
  while (n < lines.length && lines[n].startsWith('---')) n += 1;
  const header = lines.slice(0, n).map((line) => line.replace(/^--- ?/, ''));
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  if (!header.some((line) => line.includes('KEYS'))) {
    throw new Error(
      `${file}: the header (leading \`---\` lines) must say which KEYS, ARGV and reply the script has`,
    );
  }
  const body = lines.slice(n).join('\n');
  for (const line of body.split('\n')) {
    if (line.startsWith('--!') && !INCLUDE.test(line)) throw new Error(`${file}: unknown directive ${line}`);
  }
  return { header, body };
}

/** Escapes text for a template literal. */
function literal(text) {
  return text.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
}

/** The generated module of one .lua file. */
function generate(file, files) {
  const { header, body } = parse(file);
  const includes = [];
  const parts = body.split('\n').map((line) => {
    const m = INCLUDE.exec(line);
    if (!m) return literal(line);
    const included = m[1];
    if (!files.includes(included)) throw new Error(`${file}: included ${included} does not exist`);
    if (included === file) throw new Error(`${file} includes itself`);
    if (!includes.includes(included)) includes.push(included);
    return `\${${constName(included)}}`;
  });
  const imports = includes
    .map((inc) => `import { ${constName(inc)} } from './${inc.slice(0, -'.lua'.length)}.js';\n`)
    .join('');
  const doc = header.map((line) => (line ? ` * ${line.replaceAll('*/', '*\\/')}` : ' *')).join('\n');
  return (
    `// Generated from ../${file} by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.\n` +
    imports +
    (imports ? '\n' : '') +
    `/**\n${doc}\n */\n` +
    `export const ${constName(file)} = \`${parts.join('\n')}\`;\n`
  );
}

const files = readdirSync(sourceDir)
  .filter((f) => f.endsWith('.lua'))
  .sort();
const wanted = new Map(files.map((f) => [`${f.slice(0, -'.lua'.length)}.ts`, generate(f, files)]));
const present = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.ts')) : [];
const problems = [];
for (const [name, text] of wanted) {
  const path = join(outDir, name);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  if (check) problems.push(`${name} is missing or stale`);
  else {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, text);
  }
}
for (const name of present) {
  if (wanted.has(name)) continue;
  if (check) problems.push(`${name} has no .lua source`);
  else rmSync(join(outDir, name));
}
if (problems.length > 0) {
  console.error(
    `packages/redis/src/scripts/generated is out of date (run \`pnpm nx run @floxide/redis:codegen\`):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
