import { SerializationError } from '../errors/errors.js';

// The one rule for values a step hands to the engine (outputs, fan-out values, join arrivals, context
// operation values, run inputs). Every backend stores JSON, so every engine — the local one included —
// keeps exactly what a JSON round trip keeps, and refuses what JSON would change silently:
// - kept as they are: strings, booleans, finite numbers, null, arrays, plain objects (prototype
//   `Object.prototype` or `null`);
// - changed the way JSON changes them: an object with `toJSON` (a `Date`, a `Buffer`) becomes what
//   `toJSON` returns; an object property whose value is `undefined` is dropped; `undefined` in an array
//   becomes `null`; a top-level `undefined` stays `undefined` (a node that returns nothing);
// - refused with a SerializationError: `BigInt`, functions, symbols, `NaN` and `±Infinity`, circular
//   references, and objects of any other class (`Map`, `Set`, typed arrays, `RegExp`, `Error`, class
//   instances) unless they define `toJSON`.
// Symbol-keyed and non-enumerable properties are not part of the value, as in JSON.

/** Thrown inside the walk; the keys of the path are added while it unwinds, so the happy path builds none. */
class Unstorable {
  readonly keys: (string | number)[] = [];
  constructor(readonly reason: string) {}
}

const objectProto = Object.prototype;

/**
 * The value as JSON would store it (see the rule above), throwing a {@link SerializationError} whose
 * message names the owner and the path (`node 'x' …: output.items[3]: BigInt cannot be stored`).
 *
 * @remarks
 * Copy on write: the same reference comes back when nothing changes, and a primitive costs a `typeof`.
 * It runs on every step, so nothing describing the value is built unless it is refused: the path is
 * `root`, then `key` when given (`outputs` + 3 → `outputs[3]`, `context` + `'hits'` → `context.hits`).
 *
 * @param owner - the node's name (or, with `ownerKind` `'workflow'`, the workflow's name).
 */
export function toStorable(
  value: unknown,
  root: string,
  key: string | number | undefined,
  owner: string,
  ownerKind: 'node' | 'workflow' = 'node',
): unknown {
  // The fast path: most step values are primitives or small plain objects.
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || type === 'undefined' || value === null) return value;
  if (type === 'number' && Number.isFinite(value)) return value;
  try {
    return walk(value, undefined);
  } catch (error) {
    const what = ownerKind === 'node' ? `node '${owner}'` : `the input of workflow '${owner}'`;
    if (!(error instanceof Unstorable)) {
      if (error instanceof RangeError)
        throw unstorable(what, root, key === undefined ? [] : [key], 'too deeply nested to be stored');
      throw error;
    }
    if (key !== undefined) error.keys.push(key);
    throw unstorable(what, root, error.keys, error.reason);
  }
}

function unstorable(
  what: string,
  root: string,
  keys: readonly (string | number)[],
  reason: string,
): SerializationError {
  let path = root;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string | number;
    path +=
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`;
  }
  return new SerializationError(
    `${what} produced a value that cannot be stored as JSON: ${path}: ${reason}`,
    {
      path,
    },
  );
}

// `ancestors` is the chain of objects being walked (a linked list: no allocation per leaf), for cycles.
interface Chain {
  readonly object: object;
  readonly parent: Chain | undefined;
}

function walk(value: unknown, ancestors: Chain | undefined): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new Unstorable(`${String(value)} cannot be stored`);
      return value;
    case 'object':
      return value === null ? null : walkObject(value, ancestors);
    case 'bigint':
      throw new Unstorable('BigInt cannot be stored');
    case 'function':
      throw new Unstorable('a function cannot be stored');
    case 'symbol':
      throw new Unstorable('a symbol cannot be stored');
    default:
      // `undefined` inside an object or array is handled by the caller.
      return value;
  }
}

function walkObject(object: object, ancestors: Chain | undefined): unknown {
  for (let a = ancestors; a !== undefined; a = a.parent)
    if (a.object === object) throw new Unstorable('circular reference cannot be stored');
  const chain: Chain = { object, parent: ancestors };
  if (Array.isArray(object)) return walkArray(object as unknown[], chain);
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(object);
    return replaced === undefined ? undefined : walk(replaced, chain);
  }
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== objectProto && proto !== null) throw new Unstorable(`${kindOf(object)} cannot be stored`);
  const record = object as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const child = record[key];
    let stored: unknown;
    try {
      stored = child === undefined ? undefined : walk(child, chain);
    } catch (error) {
      if (error instanceof Unstorable) error.keys.push(key);
      throw error;
    }
    if (stored !== child || stored === undefined) {
      if (copy === undefined) {
        copy = {};
        for (let j = 0; j < i; j++) copy[keys[j] as string] = record[keys[j] as string];
      }
      if (stored !== undefined) copy[key] = stored;
    } else if (copy !== undefined) copy[key] = stored;
  }
  return copy ?? object;
}

function walkArray(array: readonly unknown[], chain: Chain): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const child = array[i];
    let stored: unknown;
    try {
      // JSON writes `undefined` (and holes) in an array as null.
      stored = child === undefined ? null : walk(child, chain);
    } catch (error) {
      if (error instanceof Unstorable) error.keys.push(i);
      throw error;
    }
    if (stored !== child && copy === undefined) copy = array.slice(0, i);
    if (copy !== undefined) copy.push(stored);
  }
  return copy ?? array;
}

function kindOf(object: object): string {
  if (object instanceof Map) return 'a Map';
  if (object instanceof Set) return 'a Set';
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== ''
    ? `an instance of ${name}`
    : 'an object with a custom prototype';
}
