import { describe, expect, it } from 'vitest';
import { main } from './order.js';

describe('order example', () => {
  it('confirms, cancels, refunds and rejects with the matching audit trails', async () => {
    const results = await main();
    expect(results.map((r) => r.result.outcome)).toEqual(['confirmed', 'cancelled', 'refunded', 'rejected']);
    expect(results[0]).toEqual({
      result: { orderId: 'A-1', outcome: 'confirmed', detail: 'paid 64' },
      status: 'confirmed',
      audit: ['validated A-1', 'charged 64', 'reserved on attempt 2', 'customer notified'],
    });
    // The refund happens after the stock retries: the payment was charged first, then compensated.
    expect(results[2]?.audit).toEqual(['validated A-3', 'charged 250', 'refunded 250']);
    expect(results[2]?.status).toBe('compensated');
  });
});
