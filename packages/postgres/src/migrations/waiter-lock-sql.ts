/**
 * SQL arguments of the schema's waiter lock: an advisory lock (two-key form, so it never collides with the
 * one-key migration lock) taken shared by notifying commits and exclusively by `register_waiter`.
 */
export function waiterLockSql(schema: string): string {
  return `hashtext('floxide_waiters:${schema}'), 1`;
}
