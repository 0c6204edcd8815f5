/** The LISTEN/NOTIFY channel of a schema: enqueues in that schema wake only the workers of that schema. */
export function notifyChannel(schema: string): string {
  return `floxide_${schema}`;
}

/** The channel the schema's change feed notifies on (separate, so feed traffic never wakes idle workers). */
export function feedChannel(schema: string): string {
  return `floxide_${schema}_feed`;
}
