// Ids must be deterministic (re-executing a step yields the same successor ids, so backends deduplicate)
// and bounded in length however deep the run goes, so they are short hashes of (parent, position).
// Four 32-bit multiply-xorshift lanes (cyrb53-style mixing) give a 128-bit id: collisions are negligible
// even across many runs, and the hash costs tens of nanoseconds, which matters on the engine's hot path.

// Number#toString(16) is slow for values above 2^31 (not small integers), so format bytes from a table.
const byteHex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(value: number): string {
  return (
    (byteHex[(value >>> 24) & 0xff] as string) +
    (byteHex[(value >>> 16) & 0xff] as string) +
    (byteHex[(value >>> 8) & 0xff] as string) +
    (byteHex[value & 0xff] as string)
  );
}

function hashId(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let h3 = 0x9e3779b9;
  let h4 = 0x85ebca6b;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
    h3 = Math.imul(h3 ^ ch, 2246822519);
    h4 = Math.imul(h4 ^ ch, 3266489917);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h3 ^ (h3 >>> 13), 3266489909);
  h3 = Math.imul(h3 ^ (h3 >>> 16), 2246822507) ^ Math.imul(h4 ^ (h4 >>> 13), 3266489909);
  h4 = Math.imul(h4 ^ (h4 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex(h1) + hex(h2) + hex(h3) + hex(h4);
}

/** Id of the successor at `position` (a number, or a tagged string for fallbacks) of item `parentId`. */
export function deriveItemId(parentId: string, position: number | string): string {
  return hashId(`${parentId}\u0000${position}`);
}

/** Id of a run's start item. */
export function startItemId(runId: string): string {
  return hashId(`start\u0000${runId}`);
}

/** Id of the item a join enqueues for the fan-out step `fanOutItemId`. */
export function joinItemId(fanOutItemId: string, join: string): string {
  return hashId(`join\u0000${fanOutItemId}\u0000${join}`);
}
