import { sqlLiteral } from './commit/sql-literal.js';
import { COLLECTED_SETTING, DEFER_SETTING, NOTICES_SETTING, noticeSendSql } from './notices-after-commit.js';

/** The arguments of one `claim_items` call (see `claim.ts`). */
export interface ClaimArgs {
  readonly workerId: string;
  readonly leaseMs: number;
  readonly max: number;
  /** Lanes to claim from (`<version>@<workflow>`); null: every lane. */
  readonly lanes: readonly string[] | null;
  /** Each lane's concurrency limit (null entries: none); null when no lane has one. */
  readonly limits: readonly (number | null)[] | null;
}

/** The columns of a claimed item as `claim_items` returns them. */
export interface ClaimRow {
  readonly item: unknown;
  readonly token: string;
  readonly expires_at: string | number;
}

/** A text literal of a value (cast by the caller), so a bad number fails in the cast as a parameter would. */
const literal = (value: string | number): string => sqlLiteral(String(value));

const textArray = (values: readonly (string | number | null)[] | null): string =>
  values === null
    ? 'null::text[]'
    : `array[${values.map((v) => (v === null ? 'null' : literal(v))).join(', ')}]::text[]`;

/**
 * A claim as ONE simple-protocol message: `claim_items` in an explicit transaction whose feed notices (the
 * `step.started` and `run.status` events the claim records, runs it fails past their deadline) are
 * collected instead of sent, its COMMIT, then their send ({@link noticeSendSql}).
 *
 * @remarks
 * A claim that notified from its own transaction took PostgreSQL's NOTIFY lock (one for the whole server)
 * before its commit record, after all of its work, and every step commit's notices queued behind it while
 * it committed (claims commit without waiting for their WAL flush, but a busy machine deschedules the
 * holder). Sampled in P12 under load, backends waiting for that lock went from 0.3–2.6 on average to 0.2.
 * The claim's rows are the third statement's; values travel as escaped literals (the simple protocol has no
 * parameters).
 */
export function claimMessage(schema: string, args: ClaimArgs): string {
  const s = `"${schema}"`;
  return (
    'begin;\n' +
    `select set_config('${DEFER_SETTING}', 'on', true), set_config('${COLLECTED_SETTING}', '', true);\n` +
    `select item, token, expires_at from ${s}.claim_items(${literal(args.workerId)}, ` +
    `${literal(Math.round(args.leaseMs))}::bigint, ${literal(args.max)}::integer, ` +
    `${textArray(args.lanes)}, ${textArray(args.limits)}::integer[]);\n` +
    `select set_config('${NOTICES_SETTING}', ` +
    `coalesce(nullif(current_setting('${COLLECTED_SETTING}', true), ''), '[]'), false);\n` +
    'commit;' +
    noticeSendSql(schema)
  );
}

/** The claimed rows from the results pg returns for a {@link claimMessage}. */
export function claimMessageRows(results: readonly unknown[]): ClaimRow[] {
  for (const result of results) {
    const { fields, rows } = result as { fields?: readonly { name: string }[]; rows?: ClaimRow[] };
    if (fields?.some((field) => field.name === 'token') === true) return rows ?? [];
  }
  return [];
}
