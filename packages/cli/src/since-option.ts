import { InvalidArgumentError } from 'commander';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses `--since`: a duration back from `now` (`90s`, `15m`, `1h`, `7d`, `2w`) or a date and time in ISO
 * 8601 form (`2026-11-29`, `2026-11-29T10:00:00Z`; without a zone, local time). Returns epoch ms;
 * commander reports a bad value with the option's name.
 */
export function parseSince(value: string, now: number = Date.now()): number {
  const text = value.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text);
  if (duration) {
    const unit = UNIT_MS[(duration[2] as string).toLowerCase()] as number;
    return now - Number(duration[1]) * unit;
  }
  // Only ISO-shaped dates: Date.parse alone accepts loose forms ("1", "May") that would surprise.
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) {
    const at = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(at)) return at;
  }
  throw new InvalidArgumentError(
    'expected a duration back from now (30s, 15m, 1h, 7d, 2w) or an ISO date/time (2026-11-29T10:00:00Z).',
  );
}
