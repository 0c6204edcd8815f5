import type {
  Backend,
  CommitResult,
  Lease,
  LeaseOptions,
  LeaseState,
  NewRun,
  StartRunResult,
  StepCommit,
  WorkQueue,
} from '@floxide/distributed';
import {
  context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { contextOfItem, itemTraceOf, spanContextOfItem } from './item-trace-context.js';
import { JoinArrivalSpans } from './join-arrival-spans.js';
import { runTraceContext } from './run-trace-context.js';
import { tracedOutcome } from './traced-outcome.js';

/** Options of {@link StepTracing}. */
export interface StepTracingOptions {
  /** Tracer to create spans with (default: the global provider's `@floxide/worker` tracer). */
  readonly tracer?: Tracer;
}

const OUTCOME = { advance: 'committed', retry: 'retried', failed: 'failed' } as const;

/**
 * How long a step whose lease was lost (or whose run was cancelled) may still commit or release before its
 * span ends as `lost` (`cancelled`). Such a step may still commit first: a lost lease's commit is accepted
 * while nobody else committed that attempt, and a commit sent before a cancel lands is applied.
 */
const LOST_GRACE_MS = 60_000;

interface OpenSpan {
  readonly span: Span;
  /** When an extension reported the lease lost, or the run cancelled or finished. */
  interrupted?: { readonly state: 'lost' | 'cancelled'; readonly at: number };
}

/**
 * One OpenTelemetry span per step of a distributed worker: from lease to commit, with the workflow,
 * version, node, run id, item id, attempt, outcome and the node's own duration.
 *
 * @remarks
 * Like `WorkerMetrics`, it wraps the backend the worker uses ({@link StepTracing.instrument}), so the
 * worker needs no change and every backend works. The trace context travels in the work items (W3C
 * `traceparent` / `tracestate` in `WorkItem.trace`): each step's span is a child of the span of the step
 * that produced its item — a fan-out's branches children of the fan-out step, a join a child of one of
 * its arrivals, with span links to the other arrivals this process committed (`JoinArrivalSpans`: the item
 * carries one arrival's context, so arrivals committed by other processes are not linked) — so one run is
 * one trace whichever processes run its steps. Give the orchestrator the
 * instrumented backend too: a run started inside a span (a request's) then belongs to that span's trace,
 * its first step a child of it. A run started outside any span gets the trace derived from its run id
 * (`runSpanContext`, a virtual root never emitted), as do items stored without a context (older releases).
 * `@opentelemetry/api` is an optional peer: import this module (`@floxide/dashboard/tracing`)
 * only where tracing is wanted, and a worker without it loads and does nothing of it. With the API but no
 * SDK registered, spans are the API's no-op spans.
 *
 * @example
 * ```ts
 * const tracing = new StepTracing();
 * const worker = new DistributedWorker({ backend: tracing.instrument(backend), workflows: [orderFlow] });
 * const orchestrator = new DistributedOrchestrator({ backend: tracing.instrument(backend), workflows: [orderFlow] });
 * ```
 */
export class StepTracing {
  readonly #tracer: Tracer;
  /** Open spans by lease token: a lease's step ends with its commit, release or loss. */
  readonly #open = new Map<string, OpenSpan>();
  /** Arrivals this process committed, so a join's span links to them (see `JoinArrivalSpans`). */
  readonly #arrivals = new JoinArrivalSpans();

  constructor(options: StepTracingOptions = {}) {
    this.#tracer = options.tracer ?? trace.getTracer('@floxide/worker');
  }

  /** Spans started and not ended yet (steps in flight). */
  get openSpans(): number {
    return this.#open.size;
  }

  /** The backend to give the worker: the same backend, with a span around every leased step. */
  instrument<TBackend extends Backend>(backend: TBackend): TBackend {
    const queue = this.#instrumentQueue(backend.queue);
    const commit = async (step: StepCommit): Promise<CommitResult> => {
      const arrived = this.#recordArrivals(step);
      try {
        const result = await backend.commit(this.#traced(step));
        if (result.status === 'duplicate' || result.status === 'rejected') arrived();
        // A conflict is re-applied and committed again under the same lease: the span stays open.
        if (result.status !== 'conflict')
          this.#end(step.lease, result.status === 'committed' ? step : undefined, result.status);
        // A strand continuation is leased by the commit itself (no lease call): its step gets its span here.
        if (result.status === 'committed' && result.next) this.#start(result.next, step.lease.workerId);
        return result;
      } catch (error) {
        this.#open.get(step.lease.token)?.span.recordException(error as Error);
        throw error;
      }
    };
    const startRun = (run: NewRun): Promise<StartRunResult> => {
      // The run joins the trace of the span it is started in (a request handler's, say): its start item
      // carries that span's context, so the first step's span is a child of it.
      const carrier = itemTraceOf(trace.getSpanContext(context.active()) ?? INVALID_SPAN_CONTEXT);
      return backend.startRun(
        carrier === undefined ? run : { ...run, startItem: { ...run.startItem, trace: carrier } },
      );
    };
    return passThrough(backend, { queue, commit, startRun });
  }

  /**
   * Remembers this step's span as an arrival of each join its commit reaches (before the commit is sent:
   * the join may be leased here before the reply comes); returns what undoes it for a commit that changed
   * nothing.
   */
  #recordArrivals(step: StepCommit): () => void {
    const { outcome, lease } = step;
    const span = this.#open.get(lease.token)?.span.spanContext();
    if (outcome.kind !== 'advance' || outcome.joins.length === 0 || span === undefined)
      return () => undefined;
    const runId = lease.item.runId;
    for (const arrival of outcome.joins) this.#arrivals.add(runId, arrival.joinItem.itemId, span);
    return () => {
      for (const arrival of outcome.joins) this.#arrivals.remove(runId, arrival.joinItem.itemId, span);
    };
  }

  /** The commit with this step's span context on every item the step creates (see `tracedOutcome`). */
  #traced(step: StepCommit): StepCommit {
    const open = this.#open.get(step.lease.token);
    const carrier = open === undefined ? undefined : itemTraceOf(open.span.spanContext());
    if (carrier === undefined) return step;
    const outcome = tracedOutcome(step.outcome, carrier);
    return outcome === step.outcome ? step : { ...step, outcome };
  }

  #instrumentQueue(queue: WorkQueue): WorkQueue {
    const lease = async (options: LeaseOptions): Promise<Lease[]> => {
      const leases = await queue.lease(options);
      this.#sweepLost();
      for (const l of leases) this.#start(l, options.workerId);
      return leases;
    };
    const release = async (l: Lease, options?: { delayMs?: number }): Promise<void> => {
      await queue.release(l, options);
      // A step given back because its run was cancelled (or finished) meanwhile ends as `cancelled`.
      this.#end(
        l,
        undefined,
        this.#open.get(l.token)?.interrupted?.state === 'cancelled' ? 'cancelled' : 'released',
      );
    };
    const extend = async (l: Lease, leaseMs: number): Promise<LeaseState> => {
      const state = await queue.extend(l, leaseMs);
      // Neither ends the span here: the step's commit may already be under way. A heartbeat that lands
      // between the commit of a run's last step and its reply sees the run finished and answers
      // `cancelled` — ending the span then recorded the committed last step (a join) as cancelled. The
      // span ends with the step's commit or release (or after LOST_GRACE_MS without either).
      const open = this.#open.get(l.token);
      if (
        (state === 'lost' || state === 'cancelled') &&
        open !== undefined &&
        open.interrupted === undefined
      ) {
        open.interrupted = { state, at: Date.now() };
        open.span.addEvent(state === 'lost' ? 'floxide.lease_lost' : 'floxide.run_cancelled');
      }
      return state;
    };
    return passThrough(queue, { lease, release, extend });
  }

  #start(lease: Lease, workerId: string): void {
    const { item } = lease;
    const span = this.#tracer.startSpan(
      `floxide step ${item.workflow}.${item.node}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'floxide.workflow': item.workflow,
          'floxide.workflow.version': item.version,
          'floxide.node': item.node,
          'floxide.run_id': item.runId,
          'floxide.item_id': item.itemId,
          'floxide.attempt': item.attempt,
          'floxide.worker_id': workerId,
        },
        ...this.#joinLinks(item),
      },
      // The span of the step that produced this item (carried in the item), else the run's derived root:
      // items enqueued without a tracer (an untraced start, an older release) still join the run's trace.
      contextOfItem(item.trace, ROOT_CONTEXT) ?? runTraceContext(item.runId),
    );
    this.#open.set(lease.token, { span });
  }

  /**
   * Links of a join item's span: the arrivals this process committed, but the one its parent already is
   * (the arrival whose context the join item carries). Nothing for other items.
   */
  #joinLinks(item: Lease['item']): { links?: Link[] } {
    if (this.#arrivals.size === 0) return {};
    const arrivals = this.#arrivals.of(item.runId, item.itemId);
    if (arrivals.length === 0) return {};
    const parent = spanContextOfItem(item.trace)?.spanId;
    return { links: arrivals.filter((a) => a.spanId !== parent).map((context) => ({ context })) };
  }

  /** Ends the spans of lost leases whose steps neither committed nor released within the grace time. */
  #sweepLost(): void {
    const now = Date.now();
    for (const [token, open] of this.#open) {
      if (open.interrupted === undefined || now - open.interrupted.at < LOST_GRACE_MS) continue;
      this.#open.delete(token);
      open.span.setAttribute('floxide.outcome', open.interrupted.state);
      open.span.end();
    }
  }

  #end(lease: Lease, committed: StepCommit | undefined, result: string): void {
    const open = this.#open.get(lease.token);
    if (open === undefined) return;
    this.#open.delete(lease.token);
    // A join whose step committed for good needs its arrivals no more (a retry's next attempt does).
    if (committed !== undefined && committed.outcome.kind !== 'retry' && this.#arrivals.size > 0)
      this.#arrivals.forget(lease.item.runId, lease.item.itemId);
    const { span } = open;
    if (committed === undefined) {
      // A commit the backend rejected because the run was cancelled is a cancelled step.
      const cancelled = result === 'rejected' && open.interrupted?.state === 'cancelled';
      span.setAttribute('floxide.outcome', cancelled ? 'cancelled' : result);
    } else {
      const { outcome } = committed;
      span.setAttribute('floxide.outcome', OUTCOME[outcome.kind]);
      span.setAttribute('floxide.step.duration_ms', outcome.durationMs);
      if (outcome.kind !== 'advance') {
        span.setAttribute('floxide.error.code', outcome.error.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
      }
    }
    span.end();
  }
}

/** A proxy of `target` whose `overrides` replace its members; other methods stay bound to `target`. */
function passThrough<T extends object>(target: T, overrides: Readonly<Record<string, unknown>>): T {
  return new Proxy(target, {
    get(t, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}
