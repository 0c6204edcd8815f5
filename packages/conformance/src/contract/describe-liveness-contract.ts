import { describe, expect, it } from 'vitest';
import type { WorkerHealth } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { useBackend } from '../support/use-backend.js';

function health(workerId: string, fields: Partial<WorkerHealth> = {}): WorkerHealth {
  return {
    workerId,
    host: 'host-a',
    pid: 1234,
    startedAt: 1_000,
    lastHeartbeat: 2_000,
    status: 'idle',
    currentItems: [],
    processed: 0,
    errors: 0,
    ...fields,
  };
}

/** Contract of `backend.liveness`: heartbeat replaces the record, list in worker-id order, idempotent remove. */
export function describeLivenessContract(init: BackendTestInit): void {
  describe('LivenessStore', () => {
    const backend = useBackend(init);

    it('stores a heartbeat and reads a missing worker as undefined', async () => {
      await backend().liveness.heartbeat(
        health('w-1', { status: 'busy', currentItems: ['i-1', 'i-2'], processed: 3 }),
      );
      expect(await backend().liveness.get('w-1')).toEqual(
        health('w-1', { status: 'busy', currentItems: ['i-1', 'i-2'], processed: 3 }),
      );
      expect(await backend().liveness.get('missing')).toBeUndefined();
    });

    it('replaces the whole record on each heartbeat (last write wins)', async () => {
      await backend().liveness.heartbeat(
        health('w-1', { status: 'busy', currentItems: ['i-1'], processed: 1 }),
      );
      await backend().liveness.heartbeat(health('w-1', { lastHeartbeat: 3_000, processed: 2 }));
      expect(await backend().liveness.get('w-1')).toEqual(
        health('w-1', { lastHeartbeat: 3_000, processed: 2 }),
      );
      expect(await backend().liveness.list()).toHaveLength(1);
    });

    it('lists every worker in worker-id order and forgets removed ones idempotently', async () => {
      for (const id of ['w-c', 'w-a', 'w-b']) await backend().liveness.heartbeat(health(id));
      expect((await backend().liveness.list()).map((entry) => entry.workerId)).toEqual(['w-a', 'w-b', 'w-c']);
      await backend().liveness.remove('w-b');
      await backend().liveness.remove('w-b');
      await backend().liveness.remove('never-seen');
      expect((await backend().liveness.list()).map((entry) => entry.workerId)).toEqual(['w-a', 'w-c']);
      expect(await backend().liveness.get('w-b')).toBeUndefined();
    });

    it('returns copies: mutating a read record does not change the store', async () => {
      await backend().liveness.heartbeat(health('w-1', { currentItems: ['i-1'] }));
      const read = await backend().liveness.get('w-1');
      (read?.currentItems as string[]).push('i-2');
      const [listed] = await backend().liveness.list();
      (listed as { status: string }).status = 'stopped';
      expect(await backend().liveness.get('w-1')).toEqual(health('w-1', { currentItems: ['i-1'] }));
    });
  });
}
