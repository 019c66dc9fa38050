// The `headroom_retrieve` tool as a request declares it, in Anthropic's and OpenAI's formats. The
// definition is a constant: offered on every turn that holds a retrievable marker, it is the same
// bytes each time, so the prompt cache over the tools holds.

import type { MessageFormat } from '../messages/types.js';
import { PARAMETER_DESCRIPTIONS, RETRIEVE_TOOL_NAME, TOOL_DESCRIPTION } from './markers.js';

/** The tool's input schema (JSON Schema). */
export interface RetrievalInputSchema {
  type: 'object';
  properties: {
    key: { type: 'string'; description: string };
    query: { type: 'string'; description: string };
    offset: { type: 'integer'; minimum: 0; description: string };
    limit: { type: 'integer'; minimum: 1; maximum: number; description: string };
  };
  required: ['key'];
}

/** The tool in the Anthropic Messages API's `tools`. */
export interface AnthropicRetrievalTool {
  name: typeof RETRIEVE_TOOL_NAME;
  description: string;
  input_schema: RetrievalInputSchema;
}

/** The tool in OpenAI chat completions' `tools`. */
export interface OpenAIRetrievalTool {
  type: 'function';
  function: { name: typeof RETRIEVE_TOOL_NAME; description: string; parameters: RetrievalInputSchema };
}

export type RetrievalTool = AnthropicRetrievalTool | OpenAIRetrievalTool;

function schema(): RetrievalInputSchema {
  return {
    type: 'object',
    properties: {
      key: { type: 'string', description: PARAMETER_DESCRIPTIONS.key },
      query: { type: 'string', description: PARAMETER_DESCRIPTIONS.query },
      offset: { type: 'integer', minimum: 0, description: PARAMETER_DESCRIPTIONS.offset },
      limit: { type: 'integer', minimum: 1, maximum: 1000, description: PARAMETER_DESCRIPTIONS.limit },
    },
    required: ['key'],
  };
}

/**
 * The `headroom_retrieve` tool definition in `format` (a fresh object each call, always equal).
 *
 * @example
 * ```ts
 * import { retrievalTool } from 'headroom-ai';
 * const tools = [...myTools, retrievalTool('anthropic')];
 * ```
 */
export function retrievalTool(format: 'anthropic'): AnthropicRetrievalTool;
export function retrievalTool(format: 'openai'): OpenAIRetrievalTool;
export function retrievalTool(format: MessageFormat): RetrievalTool;
export function retrievalTool(format: MessageFormat): RetrievalTool {
  if (format === 'openai') {
    return { type: 'function', function: { name: RETRIEVE_TOOL_NAME, description: TOOL_DESCRIPTION, parameters: schema() } };
  }
  return { name: RETRIEVE_TOOL_NAME, description: TOOL_DESCRIPTION, input_schema: schema() };
}

/** True when `tool` (either format) is a declaration of `headroom_retrieve`. */
export function declaresRetrieval(tool: unknown): boolean {
  if (typeof tool !== 'object' || tool === null) return false;
  const t = tool as { name?: unknown; function?: { name?: unknown } };
  return t.name === RETRIEVE_TOOL_NAME || (typeof t.function === 'object' && t.function !== null && t.function.name === RETRIEVE_TOOL_NAME);
}
