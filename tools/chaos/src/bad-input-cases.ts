import { z } from 'zod';
import { context, isFloxideError, node, register, workflow, type AnyWorkflow } from '@floxide/core';
import type { RunInfo } from '@floxide/distributed';
import type { CaseContext, ChaosCase } from './chaos-case.js';

/** Values JSON cannot carry, by case name, each made fresh. */
const UNSTORABLE: Readonly<Record<string, () => unknown>> = {
  bigint: () => ({ total: 10n }),
  circular: () => {
    const o: Record<string, unknown> = { n: 1 };
    o['self'] = o;
    return o;
  },
  function: () => ({ callback: () => 1 }),
  nan: () => ({ ratio: Number.NaN }),
  map: () => new Map([['a', 1]]),
};

/** Non-Error values a node may throw, by case name, with the message every engine must give. */
const THROWN: Readonly<Record<string, { value: unknown; message: string }>> = {
  string: { value: 'boom', message: 'node \'thrower\' threw a non-Error value: "boom"' },
  undefined: { value: undefined, message: "node 'thrower' threw undefined" },
  null: { value: null, message: "node 'thrower' threw null" },
  number: { value: 42, message: "node 'thrower' threw a non-Error value: 42" },
  object: { value: { a: 1 }, message: 'node \'thrower\' threw a non-Error value: {"a":1}' },
};

function describeEnd(info: RunInfo): string {
  return info.status === 'failed' ? `failed ${info.error?.code ?? '?'}` : info.status;
}

/** A case whose bad run must fail with `code` (and, when given, exactly `message`). */
function failsWith(name: string, wf: AnyWorkflow, code: string, message?: string): ChaosCase {
  return {
    name,
    workflows: [wf],
    async run(ctx) {
      const runId = await ctx.orchestrator.start(wf, null);
      const info = await ctx.orchestrator.wait(runId, { timeoutMs: ctx.size.caseTimeoutMs });
      const violations: string[] = [];
      if (info.status !== 'failed' || info.error?.code !== code)
        violations.push(`expected failed ${code}, got ${describeEnd(info)}: ${info.error?.message ?? ''}`);
      else if (message !== undefined && info.error.message !== message)
        violations.push(
          `expected message ${JSON.stringify(message)}, got ${JSON.stringify(info.error.message)}`,
        );
      const records = await ctx.orchestrator.errors(runId);
      if (!records.some((r) => r.error.code === code)) violations.push(`no ${code} error record on the run`);
      return { outcome: describeEnd(info), violations };
    },
  };
}

/** A run input that does not match the start node's schema: refused at start, nothing stored. */
function schemaInvalidInput(): ChaosCase {
  const typed = node({
    name: 'typed',
    input: z.object({ id: z.string() }),
    process: (i: { id: string }) => i.id,
  });
  const wf = workflow({ name: 'chaos-schema', version: 1 }).start(typed).build();
  return {
    name: 'schema-invalid input',
    workflows: [wf],
    async run(ctx) {
      const runId = `chaos-invalid-${Date.now()}`;
      // A caller without types (JSON from a request) can pass anything: the schema must catch it at start.
      // @ts-expect-error: the input deliberately does not match the workflow's input type
      const error = await ctx.orchestrator.start(wf, { id: 7 }, { runId }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const violations: string[] = [];
      if (!isFloxideError(error, 'VALIDATION'))
        violations.push(`start did not reject with VALIDATION: ${String(error)}`);
      if ((await ctx.backend.runs.get(runId)) !== undefined)
        violations.push('a run was stored for invalid input');
      return { outcome: 'refused at start (VALIDATION), nothing stored', violations };
    },
  };
}

/**
 * A run of a workflow the orchestrator knows and the workers do not: it must not be lost. The workers do
 * not lease it (they lease only their registered workflows), so it stays queued with no error record;
 * once a worker that knows the workflow joins, the run completes.
 */
function unknownWorkflow(): ChaosCase {
  const hello = node({ name: 'hello', process: () => 'hello' });
  const wf = workflow({ name: 'chaos-unknown', version: 1 }).start(hello).build();
  return {
    name: 'item of a workflow no worker knows',
    workflows: [],
    orchestratorOnly: [wf],
    async run(ctx) {
      const runId = await ctx.orchestrator.start(wf, null);
      await new Promise((r) => setTimeout(r, ctx.size.unknownObserveMs));
      const violations: string[] = [];
      const before = await ctx.orchestrator.get(runId);
      if (before.status !== 'queued')
        violations.push(`run of an unknown workflow is ${describeEnd(before)} instead of queued`);
      const pending = await ctx.backend.queue.pending(runId);
      if (pending.length !== 1)
        violations.push(`expected its start item still queued, found ${pending.length}`);
      const recorded = (await ctx.orchestrator.errors(runId)).some(
        (r) => r.error.code === 'UNKNOWN_WORKFLOW',
      );
      if (recorded)
        violations.push('an UNKNOWN_WORKFLOW error record: a worker leased an item it cannot run');
      const release = await ctx.startWorker([wf]);
      try {
        const after = await ctx.orchestrator.wait(runId, { timeoutMs: ctx.size.caseTimeoutMs });
        if (after.status !== 'completed')
          violations.push(`with a knowing worker the run ended ${describeEnd(after)}`);
      } finally {
        await release();
      }
      return {
        outcome: `${before.status} with UNKNOWN_WORKFLOW recorded=${recorded}; completed once a knowing worker joined`,
        violations,
      };
    },
  };
}

const BigCtx = context({ blob: register(z.string()) });

/** A big output and a big context value: must succeed or fail with a typed error, never hang or crash. */
function bigValue(kind: 'output' | 'context'): ChaosCase {
  const make = node({
    name: 'make',
    context: BigCtx,
    process: (bytes: number, ctx) => {
      const blob = 'x'.repeat(bytes);
      if (kind === 'context') {
        ctx.context.blob.set(blob);
        return bytes;
      }
      return blob;
    },
  });
  const wf = workflow({ name: `chaos-big-${kind}`, version: 1, context: BigCtx })
    .start(make)
    .build();
  return {
    name: `big ${kind} value`,
    workflows: [wf],
    async run(ctx: CaseContext) {
      const bytes = ctx.size.bigBytes;
      const runId = await ctx.orchestrator.start(wf, bytes);
      const info = await ctx.orchestrator.wait(runId, { timeoutMs: ctx.size.bigTimeoutMs });
      const violations: string[] = [];
      if (info.status === 'completed') {
        const ok =
          kind === 'output'
            ? typeof info.output === 'string' && info.output.length === bytes
            : ((await ctx.orchestrator.context(runId)) as { blob?: string }).blob?.length === bytes;
        if (!ok) violations.push(`completed but the stored ${kind} is not the ${bytes}-character value`);
      } else if (info.status !== 'failed' || typeof info.error?.code !== 'string') {
        violations.push(`ended ${info.status} without a typed error`);
      }
      return { outcome: `${(bytes / 1e6).toFixed(0)} MB: ${describeEnd(info)}`, violations };
    },
  };
}

/** Every bad-input case, in the order they run. */
export function badInputCases(): ChaosCase[] {
  const cases: ChaosCase[] = [schemaInvalidInput(), unknownWorkflow()];
  for (const [kind, make] of Object.entries(UNSTORABLE)) {
    const bad = node({ name: 'bad', process: () => make() });
    const wf = workflow({ name: `chaos-output-${kind}`, version: 1 })
      .start(bad)
      .build();
    cases.push(failsWith(`output: ${kind}`, wf, 'SERIALIZATION'));
  }
  for (const [kind, { value, message }] of Object.entries(THROWN)) {
    const thrower = node({
      name: 'thrower',
      process: () => {
        throw value;
      },
    });
    const wf = workflow({ name: `chaos-throws-${kind}`, version: 1 })
      .start(thrower)
      .build();
    cases.push(failsWith(`throws: ${kind}`, wf, 'NODE_FAILED', message));
  }
  cases.push(bigValue('output'), bigValue('context'));
  return cases;
}
