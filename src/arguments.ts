// How a public function says an argument is wrong: a TypeError (or RangeError for a value out of
// range) that names the function, the argument and what was expected, and shows what it got.

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** `o[name]` when it is absent or passes `ok`; otherwise a TypeError naming `options.<name>`. */
export function option<T>(fn: string, o: object, name: string, expected: string, ok: (v: unknown) => boolean): T | undefined {
  const value = (o as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (!ok(value)) throw new TypeError(`${fn}: options.${name} must be ${expected}, got ${describe(value)}`);
  return value as T;
}

/** A token or millisecond count: a non-negative integer (≥ `min`), or Infinity where allowed. */
export function countOption(fn: string, o: object, name: string, infinite: boolean, min = 0, integer = true): number | undefined {
  const value = (o as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${fn}: options.${name} must be a number, got ${describe(value)}`);
  const ok = value === Infinity ? infinite : Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) {
    const what = `${integer ? 'an integer' : 'a number'} ≥ ${min}${infinite ? ' or Infinity' : ''}`;
    throw new RangeError(`${fn}: options.${name} must be ${what}, got ${value}`);
  }
  return value;
}
