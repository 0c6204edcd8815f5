import { describe, expect, it } from 'vitest';
import type { WorkItemState, WorkItemStatus } from '@floxide/distributed';
import { nodeStates } from './node-states.js';

const item = (node: string, status: WorkItemStatus, n = 0): WorkItemState => ({
  itemId: `${node}-${n}`,
  runId: 'r',
  node,
  status,
  attempts: 1,
});

describe('nodeStates', () => {
  it('shows the most urgent state of a node’s items and counts them', () => {
    const states = nodeStates([
      item('a', 'completed'),
      item('b', 'completed', 1),
      item('b', 'running', 2),
      item('b', 'pending', 3),
      item('c', 'waiting-retry'),
      item('c', 'running', 1),
      item('d', 'dead'),
      item('d', 'completed', 1),
      item('e', 'pending'),
    ]);
    expect(states['a']).toEqual({ state: 'completed', counts: { completed: 1 } });
    expect(states['b']).toEqual({ state: 'running', counts: { completed: 1, running: 1, pending: 1 } });
    expect(states['c']?.state).toBe('retrying');
    expect(states['d']?.state).toBe('failed');
    expect(states['e']?.state).toBe('pending');
    expect(states['f']).toBeUndefined();
  });

  it('counts an item parked on a signal as waiting: after running, before pending', () => {
    const parked = new Set(['w-0', 'x-0']);
    const states = nodeStates(
      [item('w', 'pending'), item('w', 'pending', 1), item('x', 'pending'), item('x', 'running', 1)],
      parked,
    );
    expect(states['w']).toEqual({ state: 'waiting', counts: { waiting: 1, pending: 1 } });
    expect(states['x']?.state).toBe('running');
  });
});
