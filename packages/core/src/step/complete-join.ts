import type { JoinArrival, WorkItem } from './work-item.js';

/**
 * The work item a join enqueues once all `total` branches arrived: the arrival's join item with the
 * branch values, in index order, as input. Backends call it when the last arrival is stored.
 */
export function completeJoin(arrival: JoinArrival, values: readonly unknown[]): WorkItem {
  return { ...arrival.joinItem, input: values };
}
