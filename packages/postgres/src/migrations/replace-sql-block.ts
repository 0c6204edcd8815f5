/**
 * Replaces the one occurrence of `from` in a released function's SQL with `to`: later migrations build their
 * version of a function from the released text this way, so each states only what it changes. Throws when
 * `from` is missing (the released text changed, which must never happen).
 */
export function replaceSqlBlock(sql: string, from: string, to: string, what: string): string {
  if (!sql.includes(from)) throw new Error(`${what} to replace was not found`);
  return sql.replace(from, to);
}
