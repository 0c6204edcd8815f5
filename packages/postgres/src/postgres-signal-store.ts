import { sql } from 'kysely';
import { BackendError, RunStateError } from '@floxide/core';
import {
  runNotFoundError,
  type ParkRequest,
  type ParkResult,
  type SignalDelivery,
  type SignalResult,
  type SignalStore,
} from '@floxide/distributed';
import { encodeJson } from './encode-json.js';
import type { SchemaDb } from './schema-db.js';

/**
 * Signal waits in PostgreSQL (migration 0017): `park_item` and `deliver_signal`, one transaction each under
 * the run row lock, so a delivery and a park of the same run never both miss each other (see
 * `migrations/0017_signals.sql`).
 */
export class PostgresSignalStore implements SignalStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** Parks the leased item on its signal, or hands it a stored one (see `SignalStore.park`). */
  async park(request: ParkRequest): Promise<ParkResult> {
    const item = request.lease.item;
    const payload = encodeJson(
      {
        runId: item.runId,
        itemId: item.itemId,
        attempt: item.attempt,
        name: request.name,
        ...(request.timeoutMs === undefined ? {} : { timeoutMs: Math.max(0, Math.ceil(request.timeoutMs)) }),
        ...(request.refused === undefined ? {} : { refused: request.refused }),
        at: Math.round(request.at),
      },
      `the park of item ${item.itemId}`,
    );
    const db = this.#db;
    const result = await db.run('signal park', (k) =>
      sql<{ result: ParkResult }>`select ${db.ref('park_item')}(${payload}::jsonb) as result`.execute(k),
    );
    const answer = result.rows[0]?.result;
    if (!answer) throw new BackendError('PostgreSQL park returned no result');
    return answer;
  }

  /** Delivers a signal to the oldest parked item waiting for it, else stores it. */
  async deliver(signal: SignalDelivery): Promise<SignalResult> {
    const payload = encodeJson(
      {
        runId: signal.runId,
        name: signal.name,
        payload: signal.payload ?? null,
        ...(signal.signalId === undefined ? {} : { signalId: signal.signalId }),
      },
      `the payload of signal '${signal.name}'`,
    );
    const db = this.#db;
    const result = await db.run('signal delivery', (k) =>
      sql<{
        result: SignalResult | { error: 'RUN_NOT_FOUND' | 'RUN_STATE'; status?: string };
      }>`select ${db.ref('deliver_signal')}(${payload}::jsonb) as result`.execute(k),
    );
    const answer = result.rows[0]?.result;
    if (!answer) throw new BackendError('PostgreSQL signal delivery returned no result');
    if ('error' in answer) {
      if (answer.error === 'RUN_NOT_FOUND') throw runNotFoundError(signal.runId);
      throw new RunStateError(
        `Cannot signal '${signal.name}' to run ${signal.runId}: it is ${answer.status ?? 'finished'}`,
      );
    }
    return answer;
  }
}
