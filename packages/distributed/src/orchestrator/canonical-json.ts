/**
 * JSON text of a stored value with object keys sorted, so two values that JSON considers equal compare
 * equal as strings whatever order a backend kept their keys in (Postgres `jsonb` reorders them).
 */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    }) ?? 'undefined'
  );
}
