import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyWorkflow } from '@floxide/core';
import { CliUsageError } from './cli-error.js';

/** True when `value` looks like a built workflow (what `workflow(...).build()` returns). */
export function isWorkflow(value: unknown): value is AnyWorkflow {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof AnyWorkflow, unknown>>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.version === 'number' &&
    candidate.nodes instanceof Map &&
    typeof candidate.createStartItem === 'function'
  );
}

/**
 * Loads one workflow from a `module#export` reference; the export defaults to `default`.
 *
 * @remarks
 * Relative module paths resolve against `cwd`. `.ts`/`.mts`/`.cts` modules load through tsx's API, scoped to
 * that import: the module and its own imports resolve from the user's project like any Node import.
 */
export async function loadWorkflow(reference: string, cwd: string = process.cwd()): Promise<AnyWorkflow> {
  const hash = reference.lastIndexOf('#');
  const modulePath = hash === -1 ? reference : reference.slice(0, hash);
  const exportName = hash === -1 ? 'default' : reference.slice(hash + 1);
  if (modulePath === '' || exportName === '') {
    throw new CliUsageError(`invalid workflow reference "${reference}": expected <module>#<export>`);
  }
  const module = await importModule(modulePath, cwd);
  const value = module[exportName];
  if (value === undefined) {
    throw new CliUsageError(`module "${modulePath}" has no export "${exportName}"`);
  }
  if (!isWorkflow(value)) {
    throw new CliUsageError(
      `export "${exportName}" of "${modulePath}" is not a built workflow (call .build())`,
    );
  }
  return value;
}

/**
 * Loads every workflow a module exports: exported workflows, and arrays of workflows (e.g. `workflows`).
 * A `module#export` reference loads just that export. Throws when the module exports none.
 */
export async function loadWorkflows(reference: string, cwd: string = process.cwd()): Promise<AnyWorkflow[]> {
  if (reference.includes('#')) return [await loadWorkflow(reference, cwd)];
  const module = await importModule(reference, cwd);
  const found = new Map<string, AnyWorkflow>();
  for (const value of Object.values(module)) {
    const candidates: unknown[] = Array.isArray(value) ? value : [value];
    for (const candidate of candidates) {
      if (isWorkflow(candidate)) found.set(`${candidate.name}@${candidate.version}`, candidate);
    }
  }
  if (found.size === 0) throw new CliUsageError(`module "${reference}" exports no built workflow`);
  return [...found.values()];
}

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

async function importModule(modulePath: string, cwd: string): Promise<Record<string, unknown>> {
  // A file that exists (relative to cwd) wins over a package of the same name; `./x` and `/x` are always paths.
  const isPath = modulePath.startsWith('.') || isAbsolute(modulePath) || existsSync(resolve(cwd, modulePath));
  const specifier = isPath ? pathToFileURL(resolve(cwd, modulePath)).href : modulePath;
  try {
    if (TYPESCRIPT_FILE.test(modulePath)) {
      // Node 20 cannot run TypeScript: tsx compiles this module (and the .ts files it imports) on the fly.
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(specifier, pathToFileURL(`${cwd}/`).href)) as Record<string, unknown>;
    }
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT') {
      throw new CliUsageError(`cannot load module "${modulePath}": not found`);
    }
    throw error;
  }
}
