import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const WORKSPACE = fileURLToPath(new URL('../../..', import.meta.url));

/** What one command produced. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (never rejects: the exit code is in the result). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; input?: string },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A publishable workspace package: its directory and manifest name. */
export interface PublishablePackage {
  readonly dir: string;
  readonly name: string;
}

/** Every package under `packages/` that is not private: what `pnpm publish -r` would publish. */
export function publishablePackages(): PublishablePackage[] {
  const root = join(WORKSPACE, 'packages');
  return readdirSync(root)
    .map((entry) => join(root, entry))
    .flatMap((dir) => {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name: string;
          private?: boolean;
        };
        return manifest.private === true ? [] : [{ dir, name: manifest.name }];
      } catch {
        return [];
      }
    });
}

/** A file the README shows: fenced ```ts blocks whose first line is `// src/<file>.ts`. */
export interface ReadmeFile {
  readonly path: string;
  readonly code: string;
}

/** The example files of the root README, as the user would copy them. */
export function readmeFiles(): ReadmeFile[] {
  const readme = readFileSync(join(WORKSPACE, 'README.md'), 'utf8');
  const files: ReadmeFile[] = [];
  for (const match of readme.matchAll(/```ts\n\/\/ (src\/[\w-]+\.ts)\n([\s\S]*?)```/g)) {
    files.push({ path: match[1] as string, code: match[2] as string });
  }
  return files;
}

/** The `npm install` lines of the README's Install section (package names, without flags). */
export function readmeInstallPackages(): string[][] {
  const readme = readFileSync(join(WORKSPACE, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Install'), readme.indexOf('## Example'));
  return [...section.matchAll(/^npm install ([^#\n]+)/gm)].map((m) =>
    (m[1] as string)
      .trim()
      .split(/\s+/)
      .filter((word) => !word.startsWith('-')),
  );
}
