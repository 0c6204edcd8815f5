import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { advance, sleep, stepCommit, testItem, testRun, waitFor } from '@floxide/conformance';
import type { Lease } from '@floxide/distributed';
import { notifyChannel } from './notify-channel.js';
import { PostgresBackend } from './postgres-backend.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const opened: PostgresBackend[] = [];
const clients: pg.Client[] = [];
/** Backends on another test's schema: closed, their schema dropped by its owner. */
const closing: PostgresBackend[] = [];

async function open(): Promise<PostgresBackend> {
  const backend = await createTestBackend();
  opened.push(backend);
  return backend;
}

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  clients.push(c);
  return c;
}

async function leaseNow(backend: PostgresBackend): Promise<Lease> {
  const [lease] = await backend.queue.lease({ workerId: 'w1', leaseMs: 5_000 });
  if (!lease) throw new Error('expected a ready item');
  return lease;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.end();
  for (const backend of closing.splice(0)) await backend.close();
  for (const backend of opened.splice(0)) await destroyTestBackend(backend);
});

describe('PostgresWorkQueue under contention', () => {
  it('answers a heartbeat at once while another transaction holds the item row', async () => {
    const backend = await open();
    await backend.startRun(testRun('hb-1'));
    const lease = await leaseNow(backend);
    const locker = await client();
    await locker.query('begin');
    await locker.query(
      `select 1 from "${backend.schema}".work_items where run_id = $1 and item_id = $2 for update`,
      [lease.item.runId, lease.item.itemId],
    );
    // Were the heartbeat waiting for the row lock, these would hang until the rollback below.
    expect(await backend.queue.extend(lease, 5_000)).toBe('active');
    expect(await backend.queue.extend({ ...lease, token: 'someone-else' }, 5_000)).toBe('lost');
    await locker.query('rollback');
    expect(await backend.queue.extend(lease, 5_000)).toBe('active');
  });

  it('notifies on commit only while a lease call is registered as waiting, and then wakes it', async () => {
    const worker = await open();
    const listener = await client();
    let notifications = 0;
    listener.on('notification', () => (notifications += 1));
    await listener.query(`listen "${notifyChannel(worker.schema)}"`);

    await worker.startRun(testRun('nt-1'));
    const first = await leaseNow(worker);
    const second = testItem({ runId: 'nt-1', itemId: 'nt-1:2', node: 'two' });
    await sleep(100);
    notifications = 0;
    // Nobody waits: the successor is claimable without a NOTIFY (which would serialise commits).
    await worker.commit(stepCommit(first, advance({ successors: [second] })));
    await sleep(200);
    expect(notifications).toBe(0);

    const secondLease = await leaseNow(worker);
    // A second process of the same deployment: same schema, its own pool, LISTEN connection and waiter row.
    const idle = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema: worker.schema,
      poolSize: 2,
    });
    closing.push(idle);
    const began = Date.now();
    const waiting = idle.queue.lease({ workerId: 'w2', leaseMs: 5_000, waitMs: 8_000 });
    await waitFor(async () => {
      const rows = await listener.query(`select count(*)::int as n from "${worker.schema}".waiters`);
      return (rows.rows[0] as { n: number }).n > 0;
    });
    const third = testItem({ runId: 'nt-1', itemId: 'nt-1:3', node: 'three' });
    await worker.commit(stepCommit(secondLease, advance({ successors: [third] })));
    const [woken] = await waiting;
    expect(woken?.item).toEqual(third);
    expect(Date.now() - began).toBeLessThan(6_000);
    expect(notifications).toBeGreaterThan(0);
  });
});
