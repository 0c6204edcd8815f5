import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { workflow } from '../workflow/workflow-builder.js';
import { executeStep } from './execute-step.js';
import { MAX_ERROR_STACK_CHARS, type StepOutcome } from './step-outcome.js';

function errorOf(outcome: StepOutcome): { message: string; stack?: string } {
  if (outcome.kind === 'advance') throw new Error('expected a failure');
  return outcome.error;
}

async function stepThrowing(thrown: () => unknown): Promise<StepOutcome> {
  const boom = node({
    name: 'boom',
    process: () => {
      throw thrown();
    },
  });
  const wf = workflow({ name: 'stack' }).start(boom).build();
  return executeStep({ workflow: wf, item: wf.createStartItem('run-1', null), context: wf.initialContext() });
}

describe('error stacks in step outcomes', () => {
  it('keeps the stack of an Error the node threw, as the error carried it', async () => {
    let thrown: Error | undefined;
    const error = errorOf(
      await stepThrowing(() => {
        thrown = new TypeError('card declined');
        return thrown;
      }),
    );
    expect(error.message).toBe('card declined');
    expect(error.stack).toBe(thrown?.stack);
    expect(error.stack).toContain('TypeError: card declined');
  });

  it('cuts a deep stack to its first MAX_ERROR_STACK_CHARS characters', async () => {
    const deep = new Error('deep');
    deep.stack = `Error: deep\n${'    at frame (file.ts:1:1)\n'.repeat(500)}`;
    const error = errorOf(await stepThrowing(() => deep));
    expect(error.stack).toBe(deep.stack.slice(0, MAX_ERROR_STACK_CHARS));
  });

  it("keeps no stack for Floxide's own errors or for thrown values that are not Errors", async () => {
    expect(errorOf(await stepThrowing(() => new TimeoutError('slow')))).not.toHaveProperty('stack');
    expect(errorOf(await stepThrowing(() => 'just a string'))).not.toHaveProperty('stack');
  });
});
