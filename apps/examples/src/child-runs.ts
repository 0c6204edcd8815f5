/**
 * A parent with child runs, distributed (issue 16): an order's `ship` node is `subflow('ship', shipment)`.
 * On workers the shipment is a run of its own (listed with `parentRunId`, watchable on its own) while the
 * order's step waits parked: one worker with a single slot runs both, since the waiting parent holds none.
 * The shipment's output is the node's output; cancelling an order cancels its shipment. The worker is
 * given the order workflow only: it registers the shipment workflow with it.
 */
import { node, subflow, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { runMain } from './run-main.js';

interface Order {
  readonly id: string;
  readonly items: number;
}

const pack = node({
  name: 'pack',
  process: async (order: Order, ctx) => {
    // A slow warehouse for big orders: the cancelled one below is still packing when it is cancelled.
    await ctx.sleep(order.items > 100 ? 60_000 : 20);
    return { id: order.id, parcels: Math.ceil(order.items / 3) };
  },
});
const label = node({
  name: 'label',
  process: (p: { id: string; parcels: number }) => `${p.parcels} parcel(s) labelled for ${p.id}`,
});

/** The child workflow: pack the order's items into parcels, then label them. */
export const shipmentWorkflow = workflow({ name: 'shipment' }).start(pack).edge(pack, label).build();

const accept = node({ name: 'accept', process: (order: Order) => order });
const ship = subflow('ship', shipmentWorkflow);
const invoice = node({ name: 'invoice', process: (shipped: string) => `invoiced: ${shipped}` });

/** The parent workflow: accept → ship (a child run of `shipment`) → invoice. */
export const orderWorkflow = workflow({ name: 'order-with-shipment' })
  .start(accept)
  .edge(accept, ship)
  .edge(ship, invoice)
  .build();

/** What the example shows. */
export interface ChildRunsResult {
  /** The order's output. */
  readonly output: unknown;
  /** The child run as listed: its workflow, status and parent. */
  readonly child: string;
  /** The statuses of a cancelled order and of its shipment. */
  readonly cancelled: string;
}

async function childOf(orchestrator: DistributedOrchestrator, runId: string) {
  for (;;) {
    const page = await orchestrator.runs({ runIdPrefix: `${runId}/` });
    const child = page.runs.find((run) => run.parentRunId === runId);
    if (child) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ships one order to the end and cancels a second one while its shipment packs. */
export async function main(): Promise<ChildRunsResult> {
  const backend = new MemoryBackend();
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [orderWorkflow] });
  const worker = new DistributedWorker({
    backend,
    workflows: [orderWorkflow],
    concurrency: 1,
    idleWaitMs: 50,
  });
  await worker.start();
  try {
    const runId = await orchestrator.start(orderWorkflow, { id: 'o-1', items: 7 });
    const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    const done = await childOf(orchestrator, runId);
    const child = `${done.workflow} ${done.status}, parent ${done.parentRunId === runId ? 'o-1' : '?'}`;

    const big = await orchestrator.start(orderWorkflow, { id: 'o-2', items: 500 });
    const packing = await childOf(orchestrator, big);
    await orchestrator.cancel(big);
    const cancelled = `order ${(await orchestrator.get(big)).status}, shipment ${(await orchestrator.get(packing.runId)).status}`;
    return { output: info.output, child, cancelled };
  } finally {
    await worker.close({ graceMs: 0 });
    await backend.close();
  }
}

runMain(import.meta.url, main);
