/**
 * A UTF-16 code unit mapped so that code unit order is code point order, i.e. the byte order of the UTF-8
 * encoding Redis compares (surrogates, which encode code points above U+FFFF, move after U+E000–U+FFFF).
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** Compares two strings in the byte order of their UTF-8 encodings (Redis's lex order), allocating nothing. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * The first `limit` members of several lists each sorted in byte order (`direction` 1 ascending, -1
 * descending), in that order: a k-way merge that compares each list's head only.
 */
export function mergeSorted(
  lists: readonly (readonly string[])[],
  limit: number,
  direction: 1 | -1,
): string[] {
  const heads = lists.map(() => 0);
  const out: string[] = [];
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i] as readonly string[];
      const head = heads[i] as number;
      if (head >= list.length) continue;
      if (best < 0) best = i;
      else if (
        direction * compareUtf8(list[head] as string, lists[best]?.[heads[best] as number] as string) <
        0
      )
        best = i;
    }
    if (best < 0) break;
    out.push(lists[best]?.[heads[best] as number] as string);
    heads[best] = (heads[best] as number) + 1;
  }
  return out;
}
