import type { Backend, DistributedOrchestrator } from '@floxide/distributed';

/**
 * What is wrong with the finished runs of the child-run crash test (see `childCrashWorkflows`), one
 * sentence each: `[]` when every parent `n` completed with `{ doubled: 2n }`, through exactly one child
 * run (its parent recorded, completed with `2n`, its step committed once), and nothing is left queued.
 */
export async function checkChildCrash(
  orchestrator: DistributedOrchestrator,
  backend: Backend,
  runIds: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const problems: string[] = [];
  const infos = await Promise.all(
    runIds.map((id) => orchestrator.wait(id, { signal: AbortSignal.timeout(timeoutMs) })),
  );
  for (const [n, info] of infos.entries()) {
    const runId = info.runId;
    if (info.status !== 'completed' || (info.output as { doubled?: number }).doubled !== n * 2) {
      problems.push(`run ${runId}: ${info.status} ${JSON.stringify(info.output ?? info.error)}`);
      continue;
    }
    const page = await orchestrator.runs({ runIdPrefix: `${runId}/`, limit: 10 });
    const children = page.runs.filter((run) => run.parentRunId === runId);
    if (children.length !== 1) problems.push(`run ${runId}: ${children.length} child runs`);
    for (const child of children) {
      const ctx = await backend.context.get(child.runId);
      if (child.status !== 'completed' || child.output !== n * 2) {
        problems.push(`child ${child.runId}: ${child.status} ${JSON.stringify(child.output)}`);
      }
      if ((ctx?.state as { hits?: number } | undefined)?.hits !== 1) {
        problems.push(`child ${child.runId}: hits ${JSON.stringify(ctx?.state)}`);
      }
    }
    const pending = await backend.queue.pending(runId);
    if (pending.length > 0) problems.push(`run ${runId}: ${pending.length} items still queued`);
  }
  return problems;
}
