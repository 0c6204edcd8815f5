import { describe, expect, it } from 'vitest';
import { main } from './approval.js';

describe('approval example', () => {
  it('parks for a signal, refuses a bad answer, resumes with a good one, escalates on timeout', async () => {
    const result = await main();
    expect(result.parked).toBe('RUN_WAITING approval');
    expect(result.status).toBe('waiting');
    expect(result.badAnswer).toMatch(/^VALIDATION: invalid payload of signal 'approval'/);
    expect(result.approved).toBe('paid (approved by grace)');
    expect(result.unanswered).toBe('escalated exp-2: no answer in time');
  });
});
