import type { LivenessStatus } from '../contracts/records.js';

/**
 * Classifies a heartbeat age: `alive` below `staleAfterMs`, `stale` up to 3× that, `dead` beyond.
 * The 3× margin lets a worker miss a couple of beats (GC pause, busy event loop) before it counts as dead.
 */
export function classifyLiveness(ageMs: number, staleAfterMs: number): LivenessStatus {
  if (ageMs < staleAfterMs) return 'alive';
  if (ageMs < 3 * staleAfterMs) return 'stale';
  return 'dead';
}
