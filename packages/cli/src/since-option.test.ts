import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseSince } from './since-option.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('parseSince', () => {
  it('reads a duration back from now', () => {
    expect(parseSince('30s', NOW)).toBe(NOW - 30_000);
    expect(parseSince('15m', NOW)).toBe(NOW - 900_000);
    expect(parseSince('1h', NOW)).toBe(NOW - 3_600_000);
    expect(parseSince('1.5H', NOW)).toBe(NOW - 5_400_000);
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseSince('2w', NOW)).toBe(NOW - 14 * 86_400_000);
  });

  it('reads an ISO date or date and time', () => {
    expect(parseSince('2026-11-29T10:00:00Z', NOW)).toBe(Date.parse('2026-11-29T10:00:00Z'));
    expect(parseSince('2026-11-29T10:00:00.250+01:00', NOW)).toBe(Date.parse('2026-11-29T09:00:00.250Z'));
    expect(parseSince('2026-11-29', NOW)).toBe(Date.parse('2026-11-29'));
    expect(parseSince('2026-11-29 10:00', NOW)).toBe(Date.parse('2026-11-29T10:00'));
  });

  it('refuses anything else with a message saying what it expects', () => {
    for (const bad of ['', '1', 'h', '-1h', '1y', 'yesterday', 'May 3', '2026-13-40', '2026-11-29Tnoon']) {
      expect(() => parseSince(bad, NOW), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parseSince('soon', NOW)).toThrow(/duration back from now .* or an ISO date/);
  });
});
