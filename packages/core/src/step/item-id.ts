// Ids must be deterministic (re-executing a step yields the same successor ids, so backends deduplicate)
// and bounded in length however deep the run goes, so they are 128-bit hashes of (parent, position),
// written as 32 lowercase hex digits. Deriving an id runs on every step of every run, so it is cheap:
// - the hash uses MurmurHash3 x86_128's lane mixing over 32-bit words (tens of nanoseconds, collisions
//   negligible even across many runs), in one module-level typed array, so it allocates nothing but the
//   resulting string (JavaScript is single-threaded and nothing here re-enters, so sharing it is safe);
// - a parent id in that canonical form is not hashed as text: its 128 bits start the state directly, and
//   the last id made is remembered with its bits, so a chain of steps never reads an id back. Any other
//   parent string is hashed as text, with another seed.

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

// Seeds keep the kinds of input apart (derived from a canonical id, from other text, start, join ids).
const DERIVE_SEED = 0x5bd1e995;
const START_SEED = 0x1b873593;
const JOIN_SEED = 0x7feb352d;
const CANONICAL_SEED = 0x2545f491;

// Tags that cannot be a string's length (strings are far shorter than 2^32 − 2 code units).
const INTEGER_TAG = -1;
const NUMBER_TAG = -2;

/** The running hash: four lanes and the number of words fed (a typed array: no allocation, no TDZ checks). */
const state = new Int32Array(5);

// Distinct lane seeds: a short input does not reach every lane, and equal seeds would repeat a lane's value.
function begin(seed: number): void {
  state[0] = seed;
  state[1] = seed ^ 0x6a09e667;
  state[2] = seed ^ 0xbb67ae85;
  state[3] = seed ^ 0x3c6ef372;
  state[4] = 0;
}

// The last id made and the last parent read, with their 128 bits: a chain derives from the id just made,
// a fan-out derives many ids from one parent, and neither then reads the parent's digits again.
let madeId = '';
const madeBits = new Int32Array(4);
let readId = '';
const readBits = new Int32Array(4);

/** Starts the state from a canonical id's 128 bits; false when `id` is not canonical (call `begin` then). */
function beginCanonical(id: string): boolean {
  let bits: Int32Array;
  if (id === madeId) bits = madeBits;
  else if (id === readId) bits = readBits;
  else {
    if (id.length !== 32) return false;
    // Parsed into the state first: the cache is only replaced once the whole id turned out canonical.
    for (let w = 0; w < 4; w++) {
      let v = 0;
      for (let i = w * 8; i < w * 8 + 8; i++) {
        const c = id.charCodeAt(i);
        // Unsigned comparisons: a code unit below '0' or 'a' wraps to a huge value and is rejected.
        const digit = (c - 48) >>> 0 < 10 ? c - 48 : (c - 97) >>> 0 < 6 ? c - 87 : -1;
        if (digit < 0) return false;
        v = (v << 4) | digit;
      }
      state[w] = v;
    }
    readBits[0] = state[0] as number;
    readBits[1] = state[1] as number;
    readBits[2] = state[2] as number;
    readBits[3] = state[3] as number;
    readId = id;
    bits = readBits;
  }
  // XOR with a seed per lane keeps the start a bijection of the parent's bits: distinct parents give
  // distinct states, and the rest of the hash mixes them like any other input.
  state[0] = (bits[0] as number) ^ CANONICAL_SEED;
  state[1] = (bits[1] as number) ^ 0x6a09e667;
  state[2] = (bits[2] as number) ^ 0xbb67ae85;
  state[3] = (bits[3] as number) ^ 0x3c6ef372;
  state[4] = 0;
  return true;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Feeds one word into lane (words fed so far) mod 4, as in one MurmurHash3 x86_128 block. */
function feed(k: number): void {
  const n = state[4] as number;
  state[4] = n + 1;
  switch (n & 3) {
    case 0: {
      const h = (state[0] as number) ^ Math.imul(rotl(Math.imul(k, C1), 15), C2);
      state[0] = Math.imul(rotl(h, 19) + (state[1] as number), 5) + 0x561ccd1b;
      break;
    }
    case 1: {
      const h = (state[1] as number) ^ Math.imul(rotl(Math.imul(k, C2), 16), C3);
      state[1] = Math.imul(rotl(h, 17) + (state[2] as number), 5) + 0x0bcaa747;
      break;
    }
    case 2: {
      const h = (state[2] as number) ^ Math.imul(rotl(Math.imul(k, C3), 17), C4);
      state[2] = Math.imul(rotl(h, 15) + (state[3] as number), 5) + 0x96cd1c35;
      break;
    }
    default: {
      const h = (state[3] as number) ^ Math.imul(rotl(Math.imul(k, C4), 18), C1);
      state[3] = Math.imul(rotl(h, 13) + (state[0] as number), 5) + 0x32ac3b17;
    }
  }
}

/**
 * Feeds `text` as words of two UTF-16 code units (the last one padded with 0), then its length, so that
 * segment boundaries are unambiguous. Whole blocks of four words go through a loop on local variables:
 * an id is 32 code units, exactly four blocks, and this loop is most of the cost of deriving an id.
 */
function feedText(text: string): void {
  const length = text.length;
  let i = 0;
  if (((state[4] as number) & 3) === 0) {
    let h1 = state[0] as number;
    let h2 = state[1] as number;
    let h3 = state[2] as number;
    let h4 = state[3] as number;
    for (; i + 8 <= length; i += 8) {
      let k = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
      h1 ^= Math.imul(rotl(Math.imul(k, C1), 15), C2);
      h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
      k = text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16);
      h2 ^= Math.imul(rotl(Math.imul(k, C2), 16), C3);
      h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
      k = text.charCodeAt(i + 4) | (text.charCodeAt(i + 5) << 16);
      h3 ^= Math.imul(rotl(Math.imul(k, C3), 17), C4);
      h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
      k = text.charCodeAt(i + 6) | (text.charCodeAt(i + 7) << 16);
      h4 ^= Math.imul(rotl(Math.imul(k, C4), 18), C1);
      h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    }
    state[0] = h1;
    state[1] = h2;
    state[2] = h3;
    state[3] = h4;
    state[4] = (state[4] as number) + (i >>> 1);
  }
  for (; i + 1 < length; i += 2) feed(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  if (i < length) feed(text.charCodeAt(i));
  feed(length);
}

/**
 * Feeds a position: a string as text; a safe non-negative integer as two words and a tag; any other number
 * as its text and a tag. Every segment ends in its length or a tag, so reading the words backwards recovers
 * the inputs: distinct inputs never feed the same words.
 */
function feedPosition(position: number | string): void {
  if (typeof position === 'string') feedText(position);
  else if (Number.isSafeInteger(position) && position >= 0) {
    feed(position >>> 0);
    feed(Math.floor(position / 0x100000000));
    feed(INTEGER_TAG);
  } else {
    feedText(String(position));
    feed(NUMBER_TAG);
  }
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const HEX = '0123456789abcdef';
const fromCharCode = String.fromCharCode;

// One fromCharCode call builds a flat string; concatenating pieces would build a rope that the next
// derivation (reading the id with charCodeAt) first has to flatten, and Number#toString(16) is slow above
// 2^31. The 32 arguments are spelled out because spreading arrays into the call costs more than the hash.
function hex(a: number, b: number, c: number, d: number): string {
  const x = HEX;
  return fromCharCode(
    x.charCodeAt(a >>> 28),
    x.charCodeAt((a >>> 24) & 15),
    x.charCodeAt((a >>> 20) & 15),
    x.charCodeAt((a >>> 16) & 15),
    x.charCodeAt((a >>> 12) & 15),
    x.charCodeAt((a >>> 8) & 15),
    x.charCodeAt((a >>> 4) & 15),
    x.charCodeAt(a & 15),
    x.charCodeAt(b >>> 28),
    x.charCodeAt((b >>> 24) & 15),
    x.charCodeAt((b >>> 20) & 15),
    x.charCodeAt((b >>> 16) & 15),
    x.charCodeAt((b >>> 12) & 15),
    x.charCodeAt((b >>> 8) & 15),
    x.charCodeAt((b >>> 4) & 15),
    x.charCodeAt(b & 15),
    x.charCodeAt(c >>> 28),
    x.charCodeAt((c >>> 24) & 15),
    x.charCodeAt((c >>> 20) & 15),
    x.charCodeAt((c >>> 16) & 15),
    x.charCodeAt((c >>> 12) & 15),
    x.charCodeAt((c >>> 8) & 15),
    x.charCodeAt((c >>> 4) & 15),
    x.charCodeAt(c & 15),
    x.charCodeAt(d >>> 28),
    x.charCodeAt((d >>> 24) & 15),
    x.charCodeAt((d >>> 20) & 15),
    x.charCodeAt((d >>> 16) & 15),
    x.charCodeAt((d >>> 12) & 15),
    x.charCodeAt((d >>> 8) & 15),
    x.charCodeAt((d >>> 4) & 15),
    x.charCodeAt(d & 15),
  );
}

function finish(): string {
  const fed = state[4] as number;
  let a = (state[0] as number) ^ fed;
  let b = (state[1] as number) ^ fed;
  let c = (state[2] as number) ^ fed;
  let d = (state[3] as number) ^ fed;
  a = (a + b + c + d) | 0;
  b = (b + a) | 0;
  c = (c + a) | 0;
  d = (d + a) | 0;
  a = fmix(a);
  b = fmix(b);
  c = fmix(c);
  d = fmix(d);
  a = (a + b + c + d) | 0;
  b = (b + a) | 0;
  c = (c + a) | 0;
  d = (d + a) | 0;
  madeId = hex(a, b, c, d);
  madeBits[0] = a;
  madeBits[1] = b;
  madeBits[2] = c;
  madeBits[3] = d;
  return madeId;
}

/** Id of the successor at `position` (a number, or a tagged string for fallbacks) of item `parentId`. */
export function deriveItemId(parentId: string, position: number | string): string {
  if (!beginCanonical(parentId)) {
    begin(DERIVE_SEED);
    feedText(parentId);
  }
  feedPosition(position);
  return finish();
}

/** Id of a run's start item. */
export function startItemId(runId: string): string {
  begin(START_SEED);
  feedText(runId);
  return finish();
}

/** Id of the item a join enqueues for the fan-out step `fanOutItemId`. */
export function joinItemId(fanOutItemId: string, join: string): string {
  begin(JOIN_SEED);
  feedText(fanOutItemId);
  feedText(join);
  return finish();
}
