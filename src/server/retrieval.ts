// The seam for reversible compression. When a store is configured, lossy blocks keep their
// originals under a key, markers name the key, and the originals are served at
// `GET /v1/retrieve/:key` (and, for proxied requests, as answers to the model's
// `headroom_retrieve` calls). The stores themselves (in-memory, Redis for several instances) come
// with the reversible-compression work; until then the server runs without one and says so.

/** Originals of lossy blocks, by key. */
export interface RetrievalStore {
  /** The original text stored under `key`, or undefined when unknown or expired. */
  get(key: string): Promise<string | undefined>;
}

/** Why retrieval is off, for the answer to `GET /v1/retrieve/:key` without a store. */
export const RETRIEVAL_OFF = 'retrieval is off: this server keeps no originals (reversible compression is not available in this version)';
