// headroom-ai: public exports only.

export { countTokens, type CountTokensOptions } from './tokens.js';
export { engineInfo, type EngineInfo } from './engine/loader.js';
export type { BlockKind, EncodingName, Omission } from './engine/types.js';
export {
  compress,
  compressSync,
  countMessageTokens,
  type CompressHooks,
  type CompressOptions,
  type CompressorSettings,
  type CompressResult,
  type CountMessageTokensOptions,
} from './compress.js';
export type { BlockFailureReport, CompressedBlock } from './messages/pipeline.js';
export { anthropicToOpenAI, openAIToAnthropic } from './messages/convert.js';
export { DEFAULT_PROTECT_TOOLS } from './messages/eligibility.js';
export type {
  AnthropicBlock,
  AnthropicMessage,
  ChatMessage,
  MessageFormat,
  OpenAIMessage,
  OpenAIPart,
  OpenAIToolCall,
} from './messages/types.js';
export { AnthropicProvider, type AnthropicClientLike, type AnthropicProviderOptions } from './providers/anthropic.js';
export { OpenAIProvider, type OpenAIProviderOptions } from './providers/openai.js';
export type { CountRequest, LimitRequest, Provider } from './providers/types.js';
export { CacheAligner, type AlignmentReport, type SystemPrompt, type VolatileKind, type VolatileSpan } from './cache/aligner.js';
export { MemoryStore, type MemoryStoreOptions, type Store } from './retrieval/store.js';
export { RedisStore, type RedisClientLike, type RedisStoreOptions } from './retrieval/redis.js';
export { retrievalTool, type AnthropicRetrievalTool, type OpenAIRetrievalTool, type RetrievalInputSchema, type RetrievalTool } from './retrieval/tool.js';
export {
  isRetrievalCall,
  readOriginal,
  retrieve,
  type RetrievalAnswer,
  type RetrievalCall,
  type RetrievalToolCall,
  type RetrievalToolMessage,
  type RetrievalToolResult,
  type RetrievalToolUse,
  type RetrieveInput,
} from './retrieval/answer.js';
export { RETRIEVE_TOOL_NAME } from './retrieval/markers.js';
export type { Retrieval } from './retrieval/run.js';
export { PendingRetrievals, type PendingRetrievalsOptions } from './retrieval/pending.js';
export { RemoteStore, type RemoteStoreOptions } from './remote.js';
