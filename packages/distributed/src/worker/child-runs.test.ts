import { describe, expect, it } from 'vitest';
import { node, subflow, workflow } from '@floxide/core';
import { WorkflowRegistry } from '../registry/workflow-registry.js';
import { childOfSignal, childRunIdFor, childSignal, mayBeChildRun } from './child-runs.js';

const leaf = workflow({ name: 'leaf', version: 2 })
  .start(node({ name: 'n', process: (x: number) => x }))
  .build();
const mid = workflow({ name: 'mid' }).start(subflow('leaf', leaf)).build();
const top = workflow({ name: 'top' }).start(subflow('mid', mid)).build();

describe('child run ids and signals', () => {
  it('derive the child id from the run, the item and the node attempt (parks do not count)', () => {
    const item = { runId: 'order-1', itemId: 'a'.repeat(32), attempt: 5, waitAttempts: 4 };
    const id = childRunIdFor(item as Parameters<typeof childRunIdFor>[0]);
    expect(id).toBe(`order-1/${'a'.repeat(32)}/1`);
    expect(mayBeChildRun(id)).toBe(true);
    expect(mayBeChildRun('order-1')).toBe(false);
    expect(mayBeChildRun('3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c')).toBe(false);
    expect(childOfSignal(childSignal(id))).toBe(id);
    expect(childOfSignal('approval')).toBeUndefined();
  });
});

describe('WorkflowRegistry and subflow children', () => {
  it('registers the child workflows of subflow nodes, at any depth', () => {
    const registry = new WorkflowRegistry([top]);
    expect(registry.get('mid', 1)).toBe(mid);
    expect(registry.get('leaf', 2)).toBe(leaf);
    expect(registry.list()).toHaveLength(3);
  });
});
