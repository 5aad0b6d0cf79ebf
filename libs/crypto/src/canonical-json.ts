/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form that receipts are hashed and signed in.
 *
 * Only JSON data is accepted: `null`, booleans, finite numbers, well-formed strings, arrays and plain
 * objects (prototype `Object.prototype` or `null`). Anything `JSON.stringify` would silently drop or
 * reshape (undefined, functions, symbols, `Date`, `Map`, class instances, `toJSON`) is rejected instead,
 * because a signature over a silently changed value would verify a document nobody wrote.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// In a `u` regex a valid surrogate pair is one code point, so this only matches lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Serializes `value` as RFC 8785 canonical JSON: members sorted by the UTF-16 code units of their
 * names, no whitespace, strings and numbers exactly as ECMAScript `JSON.stringify` writes them
 * (so `-0` becomes `0`), array order kept.
 *
 * @throws TypeError naming the JSON path (e.g. `$.items[2].price`) of the first value that is not
 *   JSON data: `undefined`, a function, a symbol, a bigint, `NaN` or `±Infinity`, a string with a
 *   lone surrogate, a non-plain object, an object with symbol keys, or a cycle.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, '$', new Set());
}

/** {@link canonicalize}, encoded as UTF-8: the bytes to hash or sign. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}

/**
 * A copy of `value` without object members whose value is `null`, at every depth. Array elements are
 * kept (dropping a `null` element would shift its neighbours); objects inside arrays are cleaned.
 * Values that are not arrays or plain objects are returned as they are, for {@link canonicalize} to judge.
 *
 * @throws TypeError on a cycle.
 */
export function withoutNulls<T>(value: T): T {
  return dropNulls(value, '$', new Set()) as T;
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw notJson(`${String(value)} is not a JSON number`, path);
      }
      return JSON.stringify(value);
    case 'string':
      return serializeString(value, path);
    case 'object':
      if (value === null) {
        return 'null';
      }
      return enter(value, path, ancestors, () =>
        Array.isArray(value) ? serializeArray(value, path, ancestors) : serializeObject(value, path, ancestors),
      );
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      throw notJson(`${typeof value} is not JSON data`, path);
  }
}

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw notJson('string contains a lone UTF-16 surrogate', path);
  }
  return JSON.stringify(value);
}

function serializeArray(items: readonly unknown[], path: string, ancestors: Set<object>): string {
  const parts: string[] = [];
  // An index loop, not map(): map skips holes, and a hole must be rejected like undefined.
  for (let index = 0; index < items.length; index++) {
    parts.push(serialize(items[index], `${path}[${index}]`, ancestors));
  }
  return `[${parts.join(',')}]`;
}

function serializeObject(value: object, path: string, ancestors: Set<object>): string {
  const record = plainRecord(value, path);
  const members = Object.keys(record)
    .sort(compareCodeUnits)
    .map((key) => {
      const memberPath = childPath(path, key);
      return `${serializeString(key, memberPath)}:${serialize(record[key], memberPath, ancestors)}`;
    });
  return `{${members.join(',')}}`;
}

function dropNulls(value: unknown, path: string, ancestors: Set<object>): unknown {
  if (Array.isArray(value)) {
    return enter(value, path, ancestors, () =>
      Array.from(value as unknown[], (item, index) => dropNulls(item, `${path}[${index}]`, ancestors)),
    );
  }
  if (!isPlainObject(value)) {
    return value;
  }
  // fromEntries defines own properties, so a "__proto__" member stays a member instead of a prototype.
  return enter(value, path, ancestors, () =>
    Object.fromEntries(
      Object.entries(value)
        .filter(([, member]) => member !== null)
        .map(([key, member]) => [key, dropNulls(member, childPath(path, key), ancestors)]),
    ),
  );
}

/** Runs `visit` with `value` marked as being on the current path, so only true cycles are rejected. */
function enter<R>(value: object, path: string, ancestors: Set<object>, visit: () => R): R {
  if (ancestors.has(value)) {
    throw notJson('cycle: the value contains itself', path);
  }
  ancestors.add(value);
  try {
    return visit();
  } finally {
    ancestors.delete(value);
  }
}

function plainRecord(value: object, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw notJson(`${describe(value)} is not a plain object`, path);
  }
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw notJson('object has symbol keys', path);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: object): string {
  const name: unknown = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

function compareCodeUnits(a: string, b: string): number {
  // JavaScript's relational operators on strings compare UTF-16 code units, as RFC 8785 §3.2.3 requires.
  return a < b ? -1 : a > b ? 1 : 0;
}

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function notJson(reason: string, path: string): TypeError {
  return new TypeError(`canonicalize: ${reason} at ${path}`);
}
