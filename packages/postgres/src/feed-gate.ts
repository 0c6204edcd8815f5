/** The transaction-local setting in which `feed_readers_open` (migration `0025_feed_readers`) keeps its answer. */
export const GATE_SETTING = 'floxide.feed_gate';

/** The column a notice-deferring message returns {@link GATE_SETTING} in. */
export const GATE_COLUMN = 'feed_gate';

/**
 * What this process last learned of the schema's feed gate: whether any feed reader is registered
 * (migration `0025_feed_readers`), so whether its commit and claim messages end with the post-commit send
 * of their feed notices (`noticeSendSql`), which costs a transaction of its own.
 *
 * @remarks
 * Only an optimisation of the message's shape, never of what is sent: the database decides, in each
 * transaction, whether notices are collected at all. A message without the send notifies from inside its
 * transaction whatever the gate let through (nothing while it is closed), so a reader that registered since
 * the last answer still gets its notice, and the answer (`feed_gate` `open`) turns the send back on.
 * Starts open: the first message learns.
 */
export class FeedGate {
  #sendAfterCommit = true;

  /** True while the last answer said some reader is registered (or none said anything yet). */
  get sendAfterCommit(): boolean {
    return this.#sendAfterCommit;
  }

  /** Learns from the results of a message: the {@link GATE_COLUMN} of the row that has one. */
  learn(results: readonly unknown[]): void {
    for (const result of results) {
      const rows = (result as { rows?: readonly Record<string, unknown>[] } | undefined)?.rows;
      const row = rows?.[0];
      if (row === undefined || !(GATE_COLUMN in row)) continue;
      // Null or empty: the transaction wrote no event, so it did not look; keep what was known.
      if (row[GATE_COLUMN] === 'open') this.#sendAfterCommit = true;
      else if (row[GATE_COLUMN] === 'closed') this.#sendAfterCommit = false;
      return;
    }
  }
}
