import { CorruptRecordError, type LoggedEvent } from '@floxide/core';
import type {
  ContextFieldRead,
  ContextRead,
  ContextReadRequest,
  ContextStore,
  VersionedContext,
} from '@floxide/distributed';
import { encodeLogEntry } from './commit/context-args.js';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';
import { LuaScript } from './scripts/lua-script.js';
import { GET_CONTEXT_LUA } from './scripts/generated/get-context.js';
import { READ_CONTEXT_LUA } from './scripts/generated/read-context.js';
import { SPLIT_CONTEXT_LUA } from './scripts/generated/split-context.js';

const GET = new LuaScript(GET_CONTEXT_LUA);
const READ = new LuaScript(READ_CONTEXT_LUA);
const SPLIT = new LuaScript(SPLIT_CONTEXT_LUA);

/** A read that found the context still stored as one document: split it, then read again (bounded). */
const SPLIT_ROUNDS = 5;

type ReadReply = null | ['legacy', string, string] | ['split', string, (string | null)[], string[][]];

function parseVersion(raw: string, runId: string): number {
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < 0)
    throw new CorruptRecordError(`stored context version of run ${runId} is not a number`);
  return v;
}

function parseEntry(raw: string, field: string): LoggedEvent<unknown> {
  const entry = parseJson<LoggedEvent<unknown>>(raw, `event of context field '${field}'`);
  if (typeof entry !== 'object' || entry === null || typeof entry.id !== 'string')
    throw new CorruptRecordError(`stored event of context field '${field}' is not an event entry`);
  return entry;
}

function parseDocument(json: string, runId: string): Record<string, unknown> {
  const state = parseJson<unknown>(json, 'context');
  if (typeof state !== 'object' || state === null || Array.isArray(state))
    throw new CorruptRecordError(`stored context of run ${runId} is not an object`);
  return state as Record<string, unknown>;
}

/**
 * The Redis {@link ContextStore}: the run's context stored per field (the `ctx` hash plus a list and an id
 * set per event log; see `scripts/context-fields.lua`), changed only by commits.
 *
 * @remarks
 * `startRun` (and every release before per-field storage) stores the context as one JSON document; the
 * first {@link read} of a worker splits it, once, atomically (the layout tells which fields are event
 * logs). {@link get} reads either layout.
 *
 * @example
 * ```ts
 * const ctx = await backend.context.get(runId);
 * ```
 */
export class RedisContextStore implements ContextStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** The whole context and its version (one atomic read), or `undefined` for a missing run. */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const s = this.#shared;
    return s.guard('context.get', async () => {
      const reply = (await GET.run(s.client, [s.keys.run(runId, 'ctx')], [])) as
        null | [string[], (string | string[])[]];
      if (!reply) return undefined;
      const [flat, logs] = reply;
      const hash = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i] as string, flat[i + 1] as string);
      const version = hash.get('version');
      if (version === undefined) return undefined;
      const v = parseVersion(version, runId);
      const document = hash.get('state');
      // Not split yet: the document as stored (JSON null for a run started without a context).
      if (document !== undefined && !hash.has('split'))
        return { state: parseJson(document, 'context'), version: v };
      const state: Record<string, unknown> = {};
      for (const [key, raw] of hash) {
        if (key.startsWith('f:')) state[key.slice(2)] = parseJson(raw, `context field '${key.slice(2)}'`);
      }
      for (let i = 0; i + 1 < logs.length; i += 2) {
        const name = logs[i] as string;
        state[name] = (logs[i + 1] as string[]).map((raw) => parseEntry(raw, name));
      }
      return { state, version: v };
    });
  }

  /** The requested fields and log tails in one script call; splits a one-document context first. */
  async read(runId: string, request: ContextReadRequest): Promise<ContextRead | undefined> {
    const s = this.#shared;
    const logNames = Object.keys(request.logs);
    const keys = [s.keys.run(runId, 'ctx'), ...logNames.map((name) => s.keys.contextLog(runId, name))];
    const control = JSON.stringify({
      fields: request.fields,
      logs: logNames.map((name, i) => ({ key: i + 2, from: Math.max(0, request.logs[name] ?? 0) })),
    });
    for (let round = 1; ; round += 1) {
      const reply = (await s.guard('context.read', () => READ.run(s.client, keys, [control]))) as ReadReply;
      if (!reply) return undefined;
      if (reply[0] === 'legacy') {
        parseVersion(reply[1], runId);
        if (round >= SPLIT_ROUNDS)
          throw new CorruptRecordError(`context of run ${runId} could not be split into fields`);
        await this.#split(runId, request, reply[2]);
        continue;
      }
      const [, version, values, logs] = reply;
      parseVersion(version, runId);
      const fields: Record<string, ContextFieldRead> = {};
      request.fields.forEach((name, i) => {
        const raw = values[2 * i];
        const version = Number(values[2 * i + 1] ?? 0);
        fields[name] = {
          value: raw === null || raw === undefined ? null : parseJson(raw, `context field '${name}'`),
          version: Number.isSafeInteger(version) ? version : 0,
        };
      });
      const out: Record<string, LoggedEvent<unknown>[]> = {};
      logNames.forEach((name, i) => {
        out[name] = (logs[i] ?? []).map((raw) => parseEntry(raw, name));
      });
      return { fields, logs: out };
    }
  }

  /** Stores a one-document context per field (the layout says which fields are event logs), once. */
  async #split(runId: string, request: ContextReadRequest, document: string): Promise<void> {
    const s = this.#shared;
    const state = parseDocument(document, runId);
    const args: string[] = ['', document];
    const push = (raw: string): number => {
      args.push(raw);
      return args.length;
    };
    const keys = [s.keys.run(runId, 'ctx')];
    const pushKey = (key: string): number => {
      keys.push(key);
      return keys.length;
    };
    const logNames = Object.keys(request.layout).filter((name) => request.layout[name] === 'eventLog');
    const values: { name: string; idx: number }[] = [];
    for (const [name, value] of Object.entries(state)) {
      if (request.layout[name] === 'eventLog') continue;
      values.push({ name, idx: push(JSON.stringify(value) ?? 'null') });
    }
    const logs = logNames.map((name) => {
      const events = state[name] ?? [];
      if (!Array.isArray(events))
        throw new CorruptRecordError(`stored context field '${name}' of run ${runId} is not an event log`);
      return {
        logKey: pushKey(s.keys.contextLog(runId, name)),
        idsKey: pushKey(s.keys.contextIds(runId, name)),
        events: (events as LoggedEvent<unknown>[]).map((entry, i) => {
          const id = typeof entry?.id === 'string' ? entry.id : `initial:${i}`;
          return { idIdx: push(id), entryIdx: push(encodeLogEntry({ id, event: entry?.event })) };
        }),
      };
    });
    args[0] = JSON.stringify({ values, logs, names: JSON.stringify(logNames) });
    await s.guard('context.split', () => SPLIT.run(s.client, keys, args));
  }
}
