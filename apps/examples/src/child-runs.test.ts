import { describe, expect, it } from 'vitest';
import { main } from './child-runs.js';

describe('child-runs example', () => {
  it('ships through a child run on a single-slot worker and cancels a shipment with its order', async () => {
    const result = await main();
    expect(result.output).toBe('invoiced: 3 parcel(s) labelled for o-1');
    expect(result.child).toBe('shipment completed, parent o-1');
    expect(result.cancelled).toBe('order cancelled, shipment cancelled');
  });
});
