import type { Lease } from '../contracts/work-queue.js';
import { refreshWaits } from './memory-signals.js';
import { copyItem, type MemoryState, type QueueEntry, type RunRecord } from './memory-state.js';

/**
 * Leases one queued entry to a worker: the entry turns `leased` under a fresh token, the item `running`
 * with its attempt counted, the run `running` (started now if it had not), and `step.started` recorded.
 * Shared by the queue's claim and a commit's strand continuation, so both leave the same state.
 */
export function grantLease(
  state: MemoryState,
  run: RunRecord,
  entry: QueueEntry,
  lease: { readonly workerId: string; readonly leaseMs: number },
  now: number,
): Lease {
  const token = state.nextToken();
  const expiresAt = now + lease.leaseMs;
  entry.state = 'leased';
  entry.lease = { token, workerId: lease.workerId, expiresAt };
  state.trackLease(entry, expiresAt);
  const item = entry.item;
  const record = run.items.get(item.itemId);
  if (record) {
    record.state.status = 'running';
    record.state.attempts = Math.max(record.state.attempts, item.attempt);
  }
  run.metrics.running += 1;
  // A run paused before its first lease is `running` after resume but has not started yet.
  run.info.startedAt ??= now;
  if (run.info.status === 'queued') state.setStatus(run, 'running', now);
  // A parked item leased is its wait timing out: the run has work again.
  if (item.parked !== undefined) refreshWaits(state, run, now);
  state.event(run, {
    at: now,
    type: 'step.started',
    itemId: item.itemId,
    node: item.node,
    attempt: item.attempt,
  });
  return { item: copyItem(item), token, workerId: lease.workerId, expiresAt };
}
