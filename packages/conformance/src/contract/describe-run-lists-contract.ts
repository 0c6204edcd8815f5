import { describe, expect, it } from 'vitest';
import type { Backend, RunListQuery } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { failed, leaseOne, stepCommit, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Every page of a list, followed by cursor, as run ids (fails past 20 pages). */
async function allIds(backend: Backend, query: RunListQuery): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.runs.list(cursor === undefined ? query : { ...query, cursor });
    pages.push(page.runs.map((run) => run.runId));
    cursor = page.nextCursor;
    if (pages.length > 20) throw new Error('more than 20 pages');
  } while (cursor !== undefined);
  return pages;
}

async function ids(backend: Backend, query: RunListQuery): Promise<string[]> {
  return (await allIds(backend, query)).flat();
}

/**
 * Contract of the lists the dashboard and CLI show (`runs.list` by status, by workflow, by both, newest
 * first, since a time, by run id prefix): each answers from an index that every status change keeps, so
 * these tests move runs through every status a backend operation sets and list after each move.
 */
export function describeRunListsContract(init: BackendTestInit): void {
  describe('RunInfoStore lists (indexed queries)', () => {
    const backend = useBackend(init);

    it('lists each status and workflow as runs move through claim, failure, pause, resume, cancel and retry', async () => {
      const b = backend();
      await b.startRun(testRun('ls-1', { workflow: 'alpha', createdAt: 1_000 }));
      const lease = await leaseOne(b);
      expect(await ids(b, { status: 'running' })).toEqual(['ls-1']);
      expect(await ids(b, { status: 'queued' })).toEqual([]);
      await b.commit(stepCommit(lease, failed()));
      await b.startRun(testRun('ls-2', { workflow: 'beta', createdAt: 2_000 }));
      await b.startRun(testRun('ls-3', { workflow: 'alpha', createdAt: 3_000 }));
      await b.startRun(testRun('ls-4', { workflow: 'alpha', createdAt: 4_000 }));
      await b.control('ls-3', 'pause');
      await b.control('ls-4', 'cancel');
      expect(await ids(b, { status: 'failed' })).toEqual(['ls-1']);
      expect(await ids(b, { status: 'running' })).toEqual([]);
      expect(await ids(b, { status: 'queued' })).toEqual(['ls-2']);
      expect(await ids(b, { status: 'paused' })).toEqual(['ls-3']);
      expect(await ids(b, { status: 'cancelled' })).toEqual(['ls-4']);
      expect(await ids(b, { workflow: 'alpha' })).toEqual(['ls-4', 'ls-3', 'ls-1']);
      expect(await ids(b, { status: 'failed', workflow: 'alpha' })).toEqual(['ls-1']);
      expect(await ids(b, { status: 'failed', workflow: 'beta' })).toEqual([]);
      expect(await ids(b, { status: 'queued', workflow: 'beta' })).toEqual(['ls-2']);
      await b.control('ls-3', 'resume');
      await b.control('ls-1', 'retryFailed');
      expect(await ids(b, { status: 'paused' })).toEqual([]);
      expect(await ids(b, { status: 'failed' })).toEqual([]);
      expect(await ids(b, { status: 'running' })).toEqual(['ls-3', 'ls-1']);
      expect(await ids(b, { status: 'running', workflow: 'alpha' })).toEqual(['ls-3', 'ls-1']);
      expect(await ids(b, {})).toEqual(['ls-4', 'ls-3', 'ls-2', 'ls-1']);
    });

    it('lists runs created since a time, alone and with a status, page by page', async () => {
      const b = backend();
      for (let i = 0; i < 6; i++) {
        await b.startRun(
          testRun(`sn-${i}`, { workflow: i % 2 === 0 ? 'even' : 'odd', createdAt: 10_000 + i }),
        );
      }
      await b.control('sn-1', 'cancel');
      await b.control('sn-4', 'cancel');
      await b.control('sn-5', 'cancel');
      expect(await allIds(b, { since: 10_003, limit: 2 })).toEqual([['sn-5', 'sn-4'], ['sn-3']]);
      expect(await ids(b, { since: 10_004, status: 'cancelled' })).toEqual(['sn-5', 'sn-4']);
      expect(await ids(b, { since: 10_002, status: 'queued' })).toEqual(['sn-3', 'sn-2']);
      expect(await ids(b, { since: 10_000, workflow: 'odd', status: 'cancelled' })).toEqual(['sn-5', 'sn-1']);
      expect(await ids(b, { since: 10_006 })).toEqual([]);
    });

    it('searches by run id prefix in byte order of ids, page by page, with filters', async () => {
      const b = backend();
      const runIds = ['ab-2', 'ab-10', 'ab-1', 'abc', 'b-1', 'a', 'ab-z', 'ab-é', 'p_1', 'px1', 'p%'];
      for (const [i, id] of runIds.entries()) await b.startRun(testRun(id, { createdAt: 50_000 - i }));
      await b.control('ab-10', 'pause');
      expect(await allIds(b, { runIdPrefix: 'ab', limit: 2 })).toEqual([
        ['ab-1', 'ab-10'],
        ['ab-2', 'ab-z'],
        ['ab-é', 'abc'],
      ]);
      expect(await ids(b, { runIdPrefix: 'a' })).toEqual([
        'a',
        'ab-1',
        'ab-10',
        'ab-2',
        'ab-z',
        'ab-é',
        'abc',
      ]);
      expect(await ids(b, { runIdPrefix: 'abc' })).toEqual(['abc']);
      expect(await ids(b, { runIdPrefix: 'zz' })).toEqual([]);
      // LIKE / glob characters in a prefix are plain characters.
      expect(await ids(b, { runIdPrefix: 'p_' })).toEqual(['p_1']);
      expect(await ids(b, { runIdPrefix: 'p%' })).toEqual(['p%']);
      expect(await allIds(b, { runIdPrefix: 'ab', status: 'queued', limit: 3 })).toEqual([
        ['ab-1', 'ab-2', 'ab-z'],
        ['ab-é', 'abc'],
      ]);
      expect(await ids(b, { runIdPrefix: 'ab', status: 'paused' })).toEqual(['ab-10']);
      expect(await ids(b, { runIdPrefix: 'ab', since: 49_998 })).toEqual(['ab-1', 'ab-10', 'ab-2']);
      // An empty prefix is no filter: newest first.
      expect((await ids(b, { runIdPrefix: '' })).slice(0, 2)).toEqual(['ab-2', 'ab-10']);
    });

    it('refuses a cursor of another kind of list and a since that is not a finite time', async () => {
      const b = backend();
      for (const id of ['cx-1', 'cx-2', 'cx-3']) await b.startRun(testRun(id, { createdAt: 1 }));
      const byTime = await b.runs.list({ limit: 1 });
      const byId = await b.runs.list({ runIdPrefix: 'cx', limit: 1 });
      expect(byTime.nextCursor).toBeDefined();
      expect(byId.nextCursor).toBeDefined();
      await expect(
        b.runs.list({ runIdPrefix: 'cx', cursor: byTime.nextCursor as string }),
      ).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      await expect(b.runs.list({ cursor: byId.nextCursor as string })).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      await expect(b.runs.list({ since: Number.NaN })).rejects.toMatchObject({ code: 'VALIDATION' });
    });
  });
}
