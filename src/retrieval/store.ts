// Where the originals of lossy blocks are kept so the model can ask for them: the Store interface,
// and MemoryStore, the in-process default (bounded by bytes, least recently used first out, each
// entry with its own time to live).

/**
 * A key-value store with expiry. `get` and `set` may fail (reject): compression then goes on
 * without retrieval for the blocks concerned, and a retrieval call gets a plain answer saying so.
 */
export interface Store {
  /** The value under `key`, or undefined when the store does not hold it (never held, expired, evicted). */
  get(key: string): Promise<string | undefined>;
  /** Holds `value` under `key` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Optional: renews the expiry of a key the store holds and says whether it holds it. With it, a
   * block resent on every turn costs a renewal instead of its whole text each time.
   */
  touch?(key: string, ttlMs: number): Promise<boolean>;
}

export interface MemoryStoreOptions {
  /** Most bytes held (UTF-8 length of keys and values; default 64 MiB). The least recently used go first. */
  maxBytes?: number;
  /** The clock, in milliseconds (default `Date.now`); a test can pass its own. */
  now?: () => number;
}

export const DEFAULT_MEMORY_STORE_BYTES = 64 * 1024 * 1024;

interface Entry {
  value: string;
  bytes: number;
  expires: number;
}

/**
 * The in-process store: one process's compressions and retrievals. A value larger than `maxBytes`
 * is refused (its block stays compressed without a retrieval key).
 *
 * @example
 * ```ts
 * import { compress, MemoryStore } from 'headroom-ai';
 * const store = new MemoryStore({ maxBytes: 16 * 1024 * 1024 });
 * const result = await compress(history, { store });
 * ```
 */
export class MemoryStore implements Store {
  readonly maxBytes: number;
  private readonly now: () => number;
  /** In order of use, least recent first. */
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  constructor(options: MemoryStoreOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_MEMORY_STORE_BYTES;
    if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`MemoryStore: options.maxBytes must be an integer ≥ 1, got ${String(maxBytes)}`);
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new TypeError('MemoryStore: options.now must be a function returning milliseconds');
    }
    this.maxBytes = maxBytes;
    this.now = options.now ?? Date.now;
  }

  /** Entries held (expired ones included until they are next looked at or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.held;
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.live(key)?.value);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    const bytes = utf8Length(key) + utf8Length(value);
    if (bytes > this.maxBytes) {
      return Promise.reject(new RangeError(`MemoryStore: a value of ${bytes} bytes is larger than maxBytes (${this.maxBytes})`));
    }
    this.remove(key);
    this.entries.set(key, { value, bytes, expires: this.now() + ttlMs });
    this.held += bytes;
    this.evict();
    return Promise.resolve();
  }

  touch(key: string, ttlMs: number): Promise<boolean> {
    const entry = this.live(key);
    if (entry !== undefined) entry.expires = this.now() + ttlMs;
    return Promise.resolve(entry !== undefined);
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  /** The unexpired entry under `key`, moved to the most recently used end. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expires <= this.now()) {
      this.held -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.held -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.held <= this.maxBytes) return;
      this.entries.delete(key);
      this.held -= entry.bytes;
    }
  }
}

/** Node's Buffer, where there is one: it measures UTF-8 length natively. */
const nodeBuffer = (globalThis as { Buffer?: { byteLength(text: string, encoding: 'utf8'): number } }).Buffer;

/** UTF-8 length of `text` (a lone surrogate counts as the 3 bytes of U+FFFD). */
function utf8Length(text: string): number {
  if (nodeBuffer !== undefined) return nodeBuffer.byteLength(text, 'utf8');
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}
