// Model tables: an exact id first, then the longest family prefix that ends at a boundary, so
// `claude-opus-4-6-20260101` finds `claude-opus-4-6` and `claude-opus-4-20250514` finds
// `claude-opus-4`, but `gpt-4` never claims `gpt-4o`.

const BOUNDARY = new Set(['-', '@', ':', '/', '_']);

/** The entry of `table` for `id`: exact match, else the longest prefix followed by a boundary. */
export function lookup<T>(table: ReadonlyMap<string, T>, id: string): { key: string; value: T } | undefined {
  const exact = table.get(id);
  if (exact !== undefined) return { key: id, value: exact };
  let best: { key: string; value: T } | undefined;
  for (const [key, value] of table) {
    if (id.length > key.length && id.startsWith(key) && BOUNDARY.has(id[key.length]!) && (best === undefined || key.length > best.key.length)) {
      best = { key, value };
    }
  }
  return best;
}

/** Checks a `contextLimits` option: an object of positive integer windows. */
export function limitsTable(value: unknown, where: string): Map<string, number> {
  if (value === undefined) return new Map();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: options.contextLimits must be an object mapping model ids to token counts`);
  }
  const table = new Map<string, number>();
  for (const [id, limit] of Object.entries(value)) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0) {
      throw new RangeError(`${where}: options.contextLimits[${JSON.stringify(id)}] must be a positive integer, got ${String(limit)}`);
    }
    table.set(id.toLowerCase(), limit);
  }
  return table;
}
