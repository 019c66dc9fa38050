// Reversible compression in the server. With a store (in memory by default, Redis for several
// instances), lossy blocks keep their originals under a key their markers name; for proxied
// requests the server offers `headroom_retrieve` and answers the model's calls itself (rounds.ts),
// and `GET /v1/retrieve/:key` serves the originals to clients that answer the calls themselves.

import { PendingRetrievals } from '../retrieval/pending.js';
import type { Store } from '../retrieval/store.js';

/** Most retrieval rounds the server answers for one request before returning what the model said. */
export const DEFAULT_MAX_RETRIEVAL_ROUNDS = 3;

/** Why `GET /v1/retrieve/:key` finds nothing on a server run without a store. */
export const RETRIEVAL_OFF = 'retrieval is off: this server keeps no originals (it runs with --no-retrieval)';

export interface ServerRetrievalOptions {
  store: Store;
  /** Rounds of `headroom_retrieve` calls answered per request (default 3). */
  maxRounds?: number;
  /** How long originals are kept after the last request that sent their block (compress()'s default: 1 hour). */
  ttlMs?: number;
}

/** The retrieval state of a running server. */
export class ServerRetrieval {
  readonly store: Store;
  readonly maxRounds: number;
  readonly ttlMs: number | undefined;
  /** Answers of retrieval calls a client was handed (mixed turns, the round limit), by call id. */
  readonly pending: PendingRetrievals;

  constructor(options: ServerRetrievalOptions) {
    const maxRounds = options.maxRounds ?? DEFAULT_MAX_RETRIEVAL_ROUNDS;
    if (!Number.isInteger(maxRounds) || maxRounds < 0) throw new RangeError(`retrieval.maxRounds must be an integer ≥ 0, got ${String(maxRounds)}`);
    this.store = options.store;
    this.maxRounds = maxRounds;
    this.ttlMs = options.ttlMs;
    this.pending = new PendingRetrievals(options.store);
  }

  /** The compress() options that turn retrieval on. */
  compressOptions(): { store: Store; retrievalTtlMs?: number } {
    return { store: this.store, ...(this.ttlMs === undefined ? {} : { retrievalTtlMs: this.ttlMs }) };
  }
}

/**
 * Waits (at most `ms`) until `store` answers a read, so the first requests of a server that has just
 * started find a shared store connected. False when it does not answer in time: the server then
 * runs without retrieval keys until it does (fail open).
 */
export async function storeReady(store: Store, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (let attempt = 0; attempt < 1000; attempt++) {
    try {
      await store.get('hr_readinessprobeaa');
      return true;
    } catch {
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return false;
}
