import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@floxide/core';

/** One file of the built front end. */
export interface UiFile {
  readonly body: Uint8Array;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  json: 'application/json',
};

/**
 * Where the built front end lives: `dist/ui` of this package. Both the compiled server (`dist/server`)
 * and its source (`src/server`, under test) sit two levels below the package root.
 */
export function defaultUiDir(): string {
  return fileURLToPath(new URL('../../dist/ui/', import.meta.url));
}

/**
 * Reads every file of the built front end into memory, keyed by URL path (`/index.html`, `/assets/…`).
 *
 * @remarks Serving from this fixed map, never from a path built out of the request, rules out path
 * traversal; the whole front end is a few hundred kilobytes.
 */
export function loadUi(dir: string = defaultUiDir()): Map<string, UiFile> {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new ValidationError(
      `the dashboard's front end is not built: run the @floxide/dashboard build-ui target`,
    );
  }
  const files = new Map<string, UiFile>();
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const urlPath = `/${relative(dir, path).split(sep).join('/')}`;
      const ext = name.slice(name.lastIndexOf('.') + 1);
      files.set(urlPath, { body: readFileSync(path), type: TYPES[ext] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  return files;
}
