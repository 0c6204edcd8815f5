/**
 * Order pipeline with compensation (Rust `order_example.rs`): validate → charge → reserve stock → notify.
 * Each step that can fail has a compensating fallback: a declined card cancels the order, missing stock
 * refunds the payment (after the stock service's transient errors were retried). The context keeps the
 * order status (a register) and an audit trail (an event log).
 */
import {
  context,
  eventLog,
  MemoryCheckpointStore,
  node,
  register,
  RetryPolicy,
  workflow,
} from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

const OrderSchema = z.object({
  id: z.string(),
  card: z.string(),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })),
});
type Order = z.infer<typeof OrderSchema>;
type Charged = Order & { amount: number };

/** What every order ends with. */
export interface OrderResult {
  readonly orderId: string;
  readonly outcome: 'confirmed' | 'rejected' | 'cancelled' | 'refunded';
  readonly detail: string;
}

const OrderContext = context({
  status: register(z.enum(['new', 'validated', 'charged', 'reserved', 'confirmed', 'compensated'])),
  audit: eventLog(z.string()),
});

const PRICES: Record<string, number> = { book: 12, lamp: 40, desk: 250 };
const STOCK: Record<string, number> = { book: 100, lamp: 3, desk: 0 };

class OutOfStockError extends Error {}

const validate = node({
  name: 'validate',
  input: OrderSchema,
  context: OrderContext,
  process(order, ctx): Order {
    if (order.items.length === 0) throw new Error('order has no items');
    for (const { sku } of order.items) if (!(sku in PRICES)) throw new Error(`unknown product ${sku}`);
    ctx.context.status.set('validated');
    ctx.context.audit.append(`validated ${order.id}`);
    return order;
  },
});

const charge = node({
  name: 'charge',
  context: OrderContext,
  process(order: Order, ctx): Charged {
    const amount = order.items.reduce((sum, { sku, qty }) => sum + (PRICES[sku] ?? 0) * qty, 0);
    if (order.card === 'declined') throw new Error('card declined');
    ctx.context.status.set('charged');
    ctx.context.audit.append(`charged ${amount}`);
    return { ...order, amount };
  },
});

const reserveStock = node({
  name: 'reserve-stock',
  context: OrderContext,
  // The stock service is flaky: retry transient errors, but never an out-of-stock answer.
  retry: RetryPolicy.fixed({
    maxAttempts: 3,
    initialDelayMs: 10,
    retryOn: (e) => !(e instanceof OutOfStockError),
  }),
  process(order: Charged, ctx): Charged {
    if (ctx.attempt === 1) throw new Error('stock service timeout');
    for (const { sku, qty } of order.items) {
      if ((STOCK[sku] ?? 0) < qty) throw new OutOfStockError(`${sku} is out of stock`);
    }
    ctx.context.status.set('reserved');
    ctx.context.audit.append(`reserved on attempt ${ctx.attempt}`);
    return order;
  },
});

const notify = node({
  name: 'notify',
  context: OrderContext,
  process(order: Charged, ctx): OrderResult {
    ctx.context.status.set('confirmed');
    ctx.context.audit.append('customer notified');
    return { orderId: order.id, outcome: 'confirmed', detail: `paid ${order.amount}` };
  },
});

const reject = node({
  name: 'reject',
  process: (order: Order): OrderResult => ({
    orderId: order.id,
    outcome: 'rejected',
    detail: 'invalid order',
  }),
});

const cancel = node({
  name: 'cancel-order',
  context: OrderContext,
  process(order: Order, ctx): OrderResult {
    ctx.context.status.set('compensated');
    ctx.context.audit.append('order cancelled');
    return { orderId: order.id, outcome: 'cancelled', detail: 'payment declined' };
  },
});

const refund = node({
  name: 'refund-payment',
  context: OrderContext,
  process(order: Charged, ctx): OrderResult {
    ctx.context.status.set('compensated');
    ctx.context.audit.append(`refunded ${order.amount}`);
    return { orderId: order.id, outcome: 'refunded', detail: `refunded ${order.amount}: out of stock` };
  },
});

/** The order pipeline with its compensations. */
export const orderWorkflow = workflow({ name: 'order', context: OrderContext })
  .start(validate)
  .edge(validate, charge)
  .edge(charge, reserveStock)
  .edge(reserveStock, notify)
  .onFailure(validate, reject)
  .onFailure(charge, cancel)
  .onFailure(reserveStock, refund)
  .build();

/** Orders that exercise every path. */
export const sampleOrders: Order[] = [
  {
    id: 'A-1',
    card: 'visa',
    items: [
      { sku: 'book', qty: 2 },
      { sku: 'lamp', qty: 1 },
    ],
  },
  { id: 'A-2', card: 'declined', items: [{ sku: 'book', qty: 1 }] },
  { id: 'A-3', card: 'visa', items: [{ sku: 'desk', qty: 1 }] },
  { id: 'A-4', card: 'visa', items: [] },
];

/** Runs every sample order; returns each result with its final status and audit trail. */
export async function main(): Promise<{ result: OrderResult; status: unknown; audit: string[] }[]> {
  const results = [];
  for (const order of sampleOrders) {
    const checkpoint = new MemoryCheckpointStore();
    const result = await orderWorkflow.run(order, {
      checkpoint,
      runId: order.id,
      context: { status: 'new' },
    });
    const state = (await checkpoint.load(order.id))?.context as
      { status: unknown; audit: { event: string }[] } | undefined;
    results.push({ result, status: state?.status, audit: state?.audit.map((e) => e.event) ?? [] });
  }
  return results;
}

runMain(import.meta.url, main);
