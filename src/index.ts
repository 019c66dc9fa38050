// headroom-ai: public exports only.

export { countTokens, type CountTokensOptions } from './tokens.js';
export { engineInfo, type EngineInfo } from './engine/loader.js';
export type { EncodingName } from './engine/types.js';
export { CacheAligner, type AlignmentReport, type SystemPrompt, type VolatileKind, type VolatileSpan } from './cache/aligner.js';
