// How a public function says an argument is wrong: a TypeError (or RangeError for a value out of
// range) that names the function, the argument and what was expected, and shows what it got.

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
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

/** Throws a TypeError for a key of `o` that is not one of `known`, naming the closest option. */
export function checkKeys(fn: string, o: object, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near === undefined ? `; the options are ${known.join(', ')}` : ` (did you mean ${near}?)`;
    throw new TypeError(`${fn}: options.${key} is not an option${hint}`);
  }
}

/** The option `key` most likely misspells: same letters ignoring case and separators, or within two edits. */
function closest(key: string, known: readonly string[]): string | undefined {
  const plain = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const same = known.find((k) => plain(k) === plain(key));
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(plain(key), plain(k));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}
