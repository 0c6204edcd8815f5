import type { LoggedEvent } from '@floxide/core';
import type { FieldCommit } from '@floxide/core/engine';
import type { RedisKeys } from '../keys.js';

/** Adds a raw ARGV value and returns its 1-based Lua index. */
type PushArg = (raw: string) => number;
/** Adds a KEYS entry and returns its 1-based Lua index. */
type PushKey = (key: string) => number;

/** The stored form of one event-log entry (a list element): `{"id":…,"event":…}`. */
export function encodeLogEntry(entry: LoggedEvent<unknown>): string {
  return JSON.stringify({ id: entry.id, event: entry.event ?? null });
}

/**
 * The commit script's `ctx` control (see `scripts/context-fields.lua`) for a step's field commits:
 * names and numbers in the control JSON, values and events as raw JSON arguments, each event log's list
 * and id set as keys.
 */
export function buildContextControl(
  keys: RedisKeys,
  runId: string,
  fields: readonly FieldCommit[],
  pushArg: PushArg,
  pushKey: PushKey,
): { fields: Record<string, unknown>[] } {
  const out: Record<string, unknown>[] = [];
  for (const field of fields) {
    switch (field.kind) {
      case 'counter':
        out.push({ kind: 'counter', name: field.field, add: field.add });
        break;
      case 'eventLog':
        out.push({
          kind: 'eventLog',
          name: field.field,
          logKey: pushKey(keys.contextLog(runId, field.field)),
          idsKey: pushKey(keys.contextIds(runId, field.field)),
          events: field.append.map((entry) => ({
            idIdx: pushArg(entry.id),
            entryIdx: pushArg(encodeLogEntry(entry)),
          })),
        });
        break;
      case 'register':
        out.push({ kind: 'register', name: field.field, idx: pushArg(JSON.stringify(field.set) ?? 'null') });
        break;
      case 'reducer':
        out.push({
          kind: 'reducer',
          name: field.field,
          expectedVersion: field.expectedVersion,
          idx: pushArg(JSON.stringify(field.state) ?? 'null'),
        });
        break;
    }
  }
  return { fields: out };
}
