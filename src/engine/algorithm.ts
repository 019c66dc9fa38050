/**
 * Version of the compression algorithm, equal to headroom-core's `ALGORITHM_VERSION`. Output bytes
 * may change only when it changes; a native binary reporting another number is stale.
 */
export const ALGORITHM_VERSION = 2;
