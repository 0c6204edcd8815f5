/** The LISTEN/NOTIFY channel of a schema: enqueues in that schema wake only the workers of that schema. */
export function notifyChannel(schema: string): string {
  return `floxide_${schema}`;
}
