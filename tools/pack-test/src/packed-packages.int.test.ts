import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  publishablePackages,
  readmeFiles,
  readmeInstallPackages,
  run,
  WORKSPACE,
  type CommandResult,
} from './pack-support.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = join(WORKSPACE, 'node_modules', '.bin');
const TSC = join(WORKSPACE, 'node_modules', 'typescript', 'bin', 'tsc');
const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const suffix = randomBytes(4).toString('hex');
const prefix = `floxide-pack-${suffix}`;
const schema = `floxide_pack_${suffix}`;

// Third-party versions the fresh project installs next to the tarballs (what the README tells users).
const THIRD_PARTY = {
  zod: 'zod@4.6.7',
  valibot: 'valibot@1.5.0',
  ioredis: 'ioredis@6.0.0',
  types: '@types/node@20.19.43',
};

// What a user's project compiles with: strict + NodeNext, and the packages' own .d.ts checked too.
const strictTsconfig = {
  compilerOptions: {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
    skipLibCheck: false,
  },
  include: ['src'],
};

let root: string;
const tarballs = new Map<string, string>();

/** `npm install` in a fresh directory outside the workspace; fails the test with npm's output. */
async function npmProject(name: string, specs: readonly string[]): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  const result = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    timeoutMs: 600_000,
  });
  expect(result.code, `npm install ${specs.join(' ')}\n${result.stderr}`).toBe(0);
  return dir;
}

function tarball(name: string): string {
  const path = tarballs.get(name);
  if (path === undefined) throw new Error(`no tarball for ${name}`);
  return path;
}

function expectOk(result: CommandResult, what: string): void {
  expect(result.code, `${what}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'floxide-pack-'));
  const out = join(root, 'tarballs');
  mkdirSync(out);
  for (const pkg of publishablePackages()) {
    const result = await run('pnpm', ['pack', '--pack-destination', out], { cwd: pkg.dir });
    expectOk(result, `pnpm pack ${pkg.name}`);
    const file = result.stdout.trim().split('\n').at(-1) as string;
    tarballs.set(pkg.name, file.startsWith('/') ? file : join(out, file));
  }
});

afterAll(async () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('published tarballs', () => {
  it('packs every publishable package, the CLI included', () => {
    expect([...tarballs.keys()].sort()).toEqual([
      '@floxide/cli',
      '@floxide/conformance',
      '@floxide/core',
      '@floxide/dashboard',
      '@floxide/distributed',
      '@floxide/postgres',
      '@floxide/redis',
    ]);
  });

  it('passes publint --strict and are the types wrong (ESM only)', async () => {
    for (const [name, file] of tarballs) {
      expectOk(await run(join(BIN, 'publint'), ['run', '--strict', file], { cwd: root }), `publint ${name}`);
      expectOk(
        await run(join(BIN, 'attw'), ['--profile', 'esm-only', '--format', 'table-flipped', file], {
          cwd: root,
        }),
        `attw ${name}`,
      );
    }
  });

  it('ship a LICENSE, no build info, and no source map pointing at a missing file', async () => {
    for (const [name, file] of tarballs) {
      const listing = await run('tar', ['tzf', file], { cwd: root });
      expectOk(listing, `tar ${name}`);
      const entries = new Set(listing.stdout.trim().split('\n'));
      expect(entries, name).toContain('package/LICENSE');
      expect(
        [...entries].filter((e) => e.endsWith('.tsbuildinfo')),
        name,
      ).toEqual([]);
      expect(
        [...entries].filter((e) => /\.test(-d)?\.ts$|test-support/.test(e)),
        name,
      ).toEqual([]);
      const maps = [...entries].filter((e) => e.endsWith('.map'));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const map of maps) {
        const text = await run('tar', ['xzf', file, '-O', map], { cwd: root });
        const { sources } = JSON.parse(text.stdout) as { sources: string[] };
        for (const source of sources) {
          expect(entries, `${map} -> ${source}`).toContain(posix.join(posix.dirname(map), source));
        }
      }
    }
  });
});

describe('installed with npm into a fresh project', () => {
  it('installing only @floxide/core brings in neither ioredis, bullmq nor pg, and runs a workflow', async () => {
    const dir = await npmProject('core-only', [tarball('@floxide/core'), THIRD_PARTY.zod]);
    for (const driver of ['ioredis', 'bullmq', 'pg', '@floxide/distributed']) {
      expect(existsSync(join(dir, 'node_modules', driver)), driver).toBe(false);
    }
    writeFileSync(
      join(dir, 'main.js'),
      "import { node, workflow } from '@floxide/core';\n" +
        "const wf = workflow({ name: 'w' }).start(node({ name: 'n', process: (x) => x + 1 })).build();\n" +
        'console.log(await wf.run(41));\n',
    );
    const result = await run('node', ['main.js'], { cwd: dir });
    expectOk(result, 'core-only main.js');
    expect(result.stdout).toBe('42\n');
  });

  it('a Valibot project without zod typechecks (strict, no skipLibCheck) and runs core + distributed', async () => {
    const dir = await npmProject('valibot-app', [
      tarball('@floxide/core'),
      tarball('@floxide/distributed'),
      THIRD_PARTY.valibot,
      THIRD_PARTY.types,
    ]);
    // zod is core's optional peer: a project that does not use it neither installs it nor needs its types.
    expect(existsSync(join(dir, 'node_modules', 'zod')), 'zod installed').toBe(false);
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(FIXTURES, 'valibot-app.ts'), join(dir, 'src', 'main.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(strictTsconfig));
    expectOk(await run('node', [TSC, '-p', '.'], { cwd: dir }), 'tsc (valibot project)');
    const result = await run('node', ['dist/main.js'], { cwd: dir });
    expectOk(result, 'valibot main.js');
    expect(JSON.parse(result.stdout)).toEqual({
      local: 2,
      distributed: 1,
      issue: expect.stringMatching(/URL/i),
    });
  });

  describe('the README project (core, distributed, redis, postgres, cli)', () => {
    let app: string;
    const floxide = (args: readonly string[]) =>
      run(join(app, 'node_modules', '.bin', 'floxide'), ['--backend', 'redis', '--prefix', prefix, ...args], {
        cwd: app,
        env: { REDIS_URL },
        timeoutMs: 120_000,
      });

    beforeAll(async () => {
      // The README's install lines, with the tarballs standing in for the registry's @floxide packages.
      const wanted = new Set(readmeInstallPackages().flat());
      for (const name of [
        '@floxide/core',
        '@floxide/distributed',
        '@floxide/redis',
        '@floxide/postgres',
        '@floxide/cli',
        'zod',
        'ioredis',
      ]) {
        expect(wanted, `README install lines name ${name}`).toContain(name);
      }
      app = await npmProject('app', [
        tarball('@floxide/core'),
        tarball('@floxide/distributed'),
        tarball('@floxide/redis'),
        tarball('@floxide/postgres'),
        tarball('@floxide/cli'),
        // The CLI depends on the dashboard (`floxide dashboard`); the registry does not have it yet.
        tarball('@floxide/dashboard'),
        THIRD_PARTY.zod,
        THIRD_PARTY.ioredis,
        THIRD_PARTY.types,
      ]);
      mkdirSync(join(app, 'src'));
      for (const file of readmeFiles()) {
        const code = file.code
          .replaceAll("'words-demo'", `'${prefix}'`)
          .replaceAll("'words_demo'", `'${schema}'`);
        writeFileSync(join(app, file.path), code);
      }
      copyFileSync(join(FIXTURES, 'consumer.ts'), join(app, 'src', 'consumer.ts'));
      copyFileSync(join(FIXTURES, 'flow.ts'), join(app, 'src', 'flow.ts'));
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(strictTsconfig));
    });

    it('holds the README files', () => {
      expect(readmeFiles().map((f) => f.path)).toEqual([
        'src/words.ts',
        'src/local.ts',
        'src/distributed.ts',
      ]);
    });

    it('typechecks and compiles under strict + NodeNext (no skipLibCheck)', async () => {
      expectOk(await run('node', [TSC, '-p', '.'], { cwd: app }), 'tsc');
    });

    it('runs the README example locally, on Redis and on PostgreSQL', async () => {
      const local = await run('node', ['dist/local.js'], { cwd: app });
      expectOk(local, 'local.js');
      expect(local.stdout).toBe('5\n');
      const onRedis = await run('node', ['dist/distributed.js'], {
        cwd: app,
        env: { REDIS_URL, DATABASE_URL: '' },
      });
      expectOk(onRedis, 'distributed.js on Redis');
      expect(onRedis.stdout).toBe('5\n');
      const onPostgres = await run('node', ['dist/distributed.js'], { cwd: app, env: { DATABASE_URL } });
      expectOk(onPostgres, 'distributed.js on PostgreSQL');
      expect(onPostgres.stdout).toBe('5\n');
    });

    it('drives the installed floxide bin against Redis: --version, start, watch, status, cancel', async () => {
      const version = await floxide(['--version']);
      expectOk(version, 'floxide --version');
      expect(version.stdout).toBe('0.1.0\n');

      const worker = spawn(
        join(app, 'node_modules', '.bin', 'floxide'),
        [
          '--backend',
          'redis',
          '--prefix',
          prefix,
          'worker',
          '--workflows',
          './src/flow.ts',
          '--concurrency',
          '4',
        ],
        { cwd: app, env: { ...process.env, REDIS_URL } },
      );
      let workerOut = '';
      worker.stdout.setEncoding('utf8').on('data', (chunk: string) => (workerOut += chunk));
      worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (workerOut += chunk));
      const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
      try {
        for (let i = 0; i < 600 && !workerOut.includes('started'); i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(workerOut).toContain('started');

        const started = await floxide(['start', './src/flow.ts#ticks', '--input', '4']);
        expectOk(started, 'floxide start');
        const runId = started.stdout.trim();
        const watched = await floxide(['watch', runId]);
        expectOk(watched, 'floxide watch');
        expect(watched.stdout.trimEnd().split('\n').at(-1)).toBe(`run ${runId} completed: output 6`);
        const status = await floxide(['--json', 'status', runId]);
        expectOk(status, 'floxide status');
        expect(JSON.parse(status.stdout)).toMatchObject({ run: { runId, status: 'completed', output: 6 } });

        const long = (await floxide(['start', './src/flow.ts#ticks', '--input', '500'])).stdout.trim();
        const cancelled = await floxide(['cancel', long]);
        expectOk(cancelled, 'floxide cancel');
        expect(cancelled.stdout).toBe(`run ${long} cancelled (status: cancelled)\n`);
        // Cancelling a cancelled run succeeds with a note, in the user's words.
        const again = await floxide(['cancel', long]);
        expectOk(again, 'floxide cancel (again)');
        expect(again.stdout).toBe(`run ${long} is already cancelled: nothing to cancel\n`);
      } finally {
        worker.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
      // A worker that shut down cleanly is listed as stopped, not dead.
      const workers = await floxide(['--json', 'workers']);
      expectOk(workers, 'floxide workers');
      expect(JSON.stringify(JSON.parse(workers.stdout))).toContain('"status":"stopped"');
      // An unreachable backend: one line naming the operation and host:port, never the password.
      const unreachable = await run(
        join(app, 'node_modules', '.bin', 'floxide'),
        ['--backend', 'redis', '--redis-url', 'redis://admin:pw-secret@127.0.0.1:1', 'runs'],
        { cwd: app, timeoutMs: 60_000 },
      );
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toBe(
        'floxide: runs: cannot reach Redis at 127.0.0.1:1 (connection refused) [BACKEND]\n',
      );
      expect(unreachable.stderr + unreachable.stdout).not.toContain('pw-secret');
      const { RedisBackend } = await import('@floxide/redis');
      const backend = new RedisBackend({ url: REDIS_URL, prefix });
      await backend.destroyAllData();
      await backend.close();
    });
  });
});
