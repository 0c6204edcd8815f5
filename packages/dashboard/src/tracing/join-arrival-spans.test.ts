import { describe, expect, it } from 'vitest';
import type { SpanContext } from '@opentelemetry/api';
import { JoinArrivalSpans } from './join-arrival-spans.js';

const span = (n: number): SpanContext => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: n.toString(16).padStart(16, '0'),
  traceFlags: 1,
});

describe('JoinArrivalSpans', () => {
  it('keeps arrivals per run and join, forgets one whose commit changed nothing, and a whole join', () => {
    const joins = new JoinArrivalSpans();
    joins.add('r1', 'j', span(1));
    joins.add('r1', 'j', span(2));
    joins.add('r2', 'j', span(3));
    joins.remove('r1', 'j', span(1));
    expect(joins.of('r1', 'j').map((s) => s.spanId)).toEqual([span(2).spanId]);
    expect(joins.of('r2', 'j')).toHaveLength(1);
    joins.forget('r1', 'j');
    expect(joins.of('r1', 'j')).toEqual([]);
    expect(joins.size).toBe(1);
  });

  it('is bounded: 128 arrivals per join, 1,000 joins, the oldest join dropped first', () => {
    const joins = new JoinArrivalSpans();
    for (let i = 0; i < 200; i += 1) joins.add('r', 'wide', span(i + 1));
    expect(joins.of('r', 'wide')).toHaveLength(128);
    for (let i = 0; i < 1_000; i += 1) joins.add('r', `j${i}`, span(1));
    expect(joins.size).toBe(1_000);
    expect(joins.of('r', 'wide')).toEqual([]);
    expect(joins.of('r', 'j999')).toHaveLength(1);
  });
});
