// RedisStore: the originals of lossy blocks in Redis, for services that run many instances: one
// instance compresses, any other can answer the model's retrieval call. Works with the official
// `redis` package (node-redis 4 and later): a client you pass in, or one the store creates from a
// URL. Every command is bounded by `timeoutMs` and a client that is not connected fails at once,
// so a Redis that is down costs a request nothing but its retrieval keys.

import type { Store } from './store.js';

/** What RedisStore needs of a node-redis client (`createClient()` from the `redis` package). */
export interface RedisClientLike {
  /** False while the client is not connected: commands then fail at once instead of queueing. */
  readonly isReady?: boolean;
  sendCommand(args: string[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** A connected node-redis client; its lifecycle stays yours. */
  client?: RedisClientLike;
  /** Or a `redis://` URL: the store creates its own client (needs the `redis` package) and `close()` ends it. */
  url?: string;
  /** Prepended to every key (default `headroom:`), so the store can share a Redis database. */
  prefix?: string;
  /** Longest wait for one command, connecting included (default 500 ms); past it the command fails. */
  timeoutMs?: number;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 500;

/** A client the store created and owns. */
interface OwnedClient extends RedisClientLike {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): unknown;
}

/**
 * Keeps originals in Redis with `SET … PX`, renews them with `PEXPIRE`, reads them with `GET`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { compress, RedisStore } from 'headroom-ai';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const result = await compress(history, { store: new RedisStore({ client }) });
 * ```
 */
export class RedisStore implements Store {
  readonly prefix: string;
  readonly timeoutMs: number;
  private readonly url: string | undefined;
  private client: RedisClientLike | undefined;
  private owned: OwnedClient | undefined;
  private opening: Promise<void> | undefined;
  private waited = false;
  private lastError: string | undefined;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisStore: options must be an object with a client or a url');
    const { client, url, prefix = 'headroom:', timeoutMs = DEFAULT_REDIS_TIMEOUT_MS } = options;
    if ((client === undefined) === (url === undefined)) throw new TypeError('RedisStore: pass either options.client or options.url');
    if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function')) {
      throw new TypeError('RedisStore: options.client must be a node-redis client (with sendCommand)');
    }
    if (url !== undefined && typeof url !== 'string') throw new TypeError('RedisStore: options.url must be a string');
    if (typeof prefix !== 'string') throw new TypeError('RedisStore: options.prefix must be a string');
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw new RangeError(`RedisStore: options.timeoutMs must be a number > 0, got ${String(timeoutMs)}`);
    this.client = client;
    this.url = url;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
  }

  async get(key: string): Promise<string | undefined> {
    const reply = await this.command(['GET', this.prefix + key]);
    if (reply === null || reply === undefined) return undefined;
    if (typeof reply === 'string') return reply;
    if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
    throw new Error(`Redis answered GET with ${typeof reply}`);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.command(['SET', this.prefix + key, value, 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
  }

  async touch(key: string, ttlMs: number): Promise<boolean> {
    const reply = await this.command(['PEXPIRE', this.prefix + key, String(Math.max(1, Math.ceil(ttlMs)))]);
    return reply === 1 || reply === '1';
  }

  /** Ends the client the store created from `url` (a client passed in is left as it is). */
  async close(): Promise<void> {
    this.closed = true;
    const owned = this.owned;
    this.owned = undefined;
    this.client = undefined;
    if (owned === undefined) return;
    try {
      if (owned.isReady && typeof owned.close === 'function') await owned.close();
      else if (owned.isReady && typeof owned.quit === 'function') await owned.quit();
      else owned.destroy?.();
    } catch {
      owned.destroy?.();
    }
  }

  private async command(args: string[]): Promise<unknown> {
    if (this.closed) throw new Error('RedisStore is closed');
    // The first commands wait for the connection (once, at most timeoutMs); later ones never do.
    if (this.url !== undefined && !this.waited) await this.open();
    const client = this.client;
    if (client === undefined) throw new Error(this.lastError ?? 'RedisStore has no client');
    if (client.isReady === false) {
      throw new Error(`Redis is not connected${this.lastError === undefined ? '' : `: ${this.lastError}`}`);
    }
    return withTimeout(client.sendCommand(args), this.timeoutMs, `Redis did not answer ${args[0]} within ${this.timeoutMs} ms`);
  }

  private async open(): Promise<void> {
    if (this.opening === undefined) {
      this.opening = this.connect();
      this.opening.catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
      });
    }
    try {
      await withTimeout(this.opening, this.timeoutMs, `could not connect to Redis at ${redact(this.url!)} within ${this.timeoutMs} ms`);
    } finally {
      this.waited = true;
    }
  }

  private async connect(): Promise<void> {
    let createClient: (options: object) => OwnedClient;
    try {
      // The redis package is optional: only a store built from a URL needs it.
      ({ createClient } = (await import('redis')) as unknown as { createClient: (options: object) => OwnedClient });
    } catch {
      throw new Error('RedisStore: options.url needs the `redis` package (npm install redis)');
    }
    if (this.closed) return;
    const client = createClient({
      url: this.url,
      // Fail commands at once while disconnected instead of queueing them behind a reconnect.
      disableOfflineQueue: true,
      socket: { connectTimeout: this.timeoutMs, reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 2000) },
    });
    client.on('error', (err) => {
      this.lastError = err instanceof Error ? err.message : String(err);
    });
    this.owned = client;
    this.client = client;
    await client.connect();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `url` without its password. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
