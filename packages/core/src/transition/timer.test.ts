import { describe, expect, it } from 'vitest';
import { context } from '../context/context-definition.js';
import { counter } from '../context/context-fields.js';
import { sleep } from '../helpers/sleep.js';
import { node } from '../node/node.js';
import { executeStep } from '../step/execute-step.js';
import { workflow } from '../workflow/workflow-builder.js';
import { Transition } from './transition.js';

function sleeper(timer: Parameters<typeof Transition.next>[1]) {
  const arm = node({ name: 'arm', process: (n: number) => Transition.next(n + 1, timer) });
  const wake = node({ name: 'wake', process: (n: number) => ({ n, at: Date.now() }) });
  return workflow({ name: 'timer' }).start(arm).edge(arm, wake).build();
}

describe('durable timers', () => {
  it('Transition.next and nextAll carry the timer; without one they are unchanged', () => {
    expect(Transition.next(1, { delayMs: 5 })).toMatchObject({
      type: 'next',
      output: 1,
      timer: { delayMs: 5 },
    });
    expect(Transition.nextAll([1], { delayMs: 5 })).toMatchObject({ timer: { delayMs: 5 } });
    expect('timer' in Transition.next(1)).toBe(false);
  });

  it('the step outcome carries delayMs or dueAt for the backend', async () => {
    const wf = sleeper({ delayMs: 1_500.2 });
    const outcome = await executeStep({ workflow: wf, item: wf.createStartItem('r', 1), context: {} });
    expect(outcome).toMatchObject({ kind: 'advance', delayMs: 1_501 });
    const at = new Date(Date.UTC(2030, 0, 1));
    const dated = sleeper({ at });
    const due = await executeStep({ workflow: dated, item: dated.createStartItem('r', 1), context: {} });
    expect(due).toMatchObject({ kind: 'advance', dueAt: at.getTime() });
    expect('delayMs' in due).toBe(false);
  });

  it('a terminal node keeps no timer: the run completes at once', async () => {
    const last = node({ name: 'last', process: (n: number) => Transition.next(n, { delayMs: 60_000 }) });
    const wf = workflow({ name: 'terminal-timer' }).start(last).build();
    const outcome = await executeStep({ workflow: wf, item: wf.createStartItem('r', 7), context: {} });
    expect(outcome).toMatchObject({ kind: 'advance', output: { value: 7 } });
    expect('delayMs' in outcome).toBe(false);
  });

  it('wf.run waits for the timer in process before running the successor', async () => {
    const started = Date.now();
    const result = await sleeper({ delayMs: 200 }).run(1);
    expect(result.n).toBe(2);
    expect(result.at - started).toBeGreaterThanOrEqual(195);
    const at = new Date(Date.now() + 150);
    const dated = await sleeper({ at }).run(1);
    expect(dated.at).toBeGreaterThanOrEqual(at.getTime() - 5);
  });

  it("a step's context changes apply when its timer is due, in the local engine", async () => {
    const Hits = context({ hits: counter() });
    const arm = node({
      name: 'arm',
      context: Hits,
      process: (n: number, ctx) => {
        ctx.context.hits.add(1);
        return Transition.next(n, { delayMs: 50 });
      },
    });
    const read = node({ name: 'read', context: Hits, process: (_n: number, ctx) => ctx.context.hits.value });
    const wf = workflow({ name: 'timer-context', context: Hits }).start(arm).edge(arm, read).build();
    await expect(wf.run(1)).resolves.toBe(1);
  });

  it.each([
    [{ delayMs: -1 }, "'delayMs' is not a finite number"],
    [{ delayMs: Number.NaN }, "'delayMs' is not a finite number"],
    [{ at: new Date(Number.NaN) }, "'at' is not a valid Date"],
  ])('a bad timer %o fails the step with a ValidationError', async (timer, message) => {
    const wf = sleeper(timer);
    await expect(wf.run(1)).rejects.toMatchObject({ cause: { code: 'VALIDATION' } });
    const outcome = await executeStep({ workflow: wf, item: wf.createStartItem('r', 1), context: {} });
    expect(outcome).toMatchObject({ kind: 'failed', error: { code: 'VALIDATION' } });
    expect(outcome.kind === 'failed' && outcome.error.message).toContain(message);
  });
});

describe('sleep', () => {
  it('passes its input on once the timer is due, fixed or computed from the input', async () => {
    const start = node({ name: 'start', process: (n: number) => ({ n, wakeAt: Date.now() + 80 }) });
    const pause = sleep('pause', (input: { n: number; wakeAt: number }) => ({ at: new Date(input.wakeAt) }));
    const rest = sleep<'rest', { n: number; wakeAt: number }>('rest', { delayMs: 40 });
    const end = node({
      name: 'end',
      process: (input: { n: number; wakeAt: number }) => Date.now() - input.wakeAt,
    });
    const wf = workflow({ name: 'sleepy' })
      .start(start)
      .edge(start, pause)
      .edge(pause, rest)
      .edge(rest, end)
      .build();
    expect(await wf.run(1)).toBeGreaterThanOrEqual(35);
    const outcome = await executeStep({
      workflow: wf,
      item: { ...wf.createStartItem('r', 1), node: 'rest', input: { n: 1, wakeAt: 0 } },
      context: {},
    });
    expect(outcome).toMatchObject({ kind: 'advance', delayMs: 40 });
  });
});
