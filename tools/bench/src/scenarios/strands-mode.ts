/**
 * How the bench runs Floxide's workers (`pnpm bench --strands on|off|both`): `on` is the default
 * (`strands` on), `off` runs them with `strands: false` (the queue-only mode: every step through the
 * queue), `both` runs each Floxide contender twice, the queue-only one as a row of its own beside it.
 */
export type StrandsMode = 'on' | 'off' | 'both';

/** Every {@link StrandsMode}, for the CLI's validation. */
export const STRANDS_MODES: readonly StrandsMode[] = ['on', 'off', 'both'];

/**
 * The Floxide contender a scenario compares with its peers, and the extra Floxide rows it runs, for a
 * strands mode: `on` → the strands contender alone, `off` → the queue-only one in its place, `both` →
 * the strands contender compared, the queue-only one run beside it (its ratio is the strands speed-up).
 */
export function floxideSides<T extends string>(
  ids: { readonly strands: T; readonly queueOnly: T },
  mode: StrandsMode,
): { readonly floxide: T; readonly extra: readonly T[] } {
  if (mode === 'off') return { floxide: ids.queueOnly, extra: [] };
  return { floxide: ids.strands, extra: mode === 'both' ? [ids.queueOnly] : [] };
}

/** A line for a scenario's notes saying which mode its Floxide figures were taken in. */
export function strandsNote(mode: StrandsMode): string {
  switch (mode) {
    case 'on':
      return 'Floxide workers run with strands on (the default).';
    case 'off':
      return 'Floxide workers run with `strands: false` (`--strands off`): every step goes through the queue.';
    case 'both':
      return 'Floxide runs twice (`--strands both`): strands on, and `strands: false` as a row of its own; that row\'s "Floxide ahead by" is the strands speed-up.';
  }
}
