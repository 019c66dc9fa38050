// Message shapes headroom reads: Anthropic Messages and OpenAI chat. Written structurally, so the
// SDKs' own param types are assignable, and loose where the APIs are open (unknown block types and
// fields pass through verbatim).

/** `cache_control` as the Anthropic API accepts it. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/**
 * Any Anthropic content block: `text`, `image`, `document`, `tool_use`, `tool_result`, `thinking`, …
 * (The union lets both object literals with any fields and the SDK's block interfaces through.)
 */
export type AnthropicBlock = { readonly type: string; readonly [field: string]: unknown } | { readonly type: string };

/** An Anthropic message (`MessageParam`; with the SDK's `SystemMessageParam`, a system message too). */
export interface AnthropicMessage {
  readonly role: 'user' | 'assistant' | 'system';
  readonly content: string | readonly AnthropicBlock[];
}

/** Any OpenAI content part: `text`, `image_url`, `input_audio`, `file`, `refusal`, … */
export type OpenAIPart = { readonly type: string; readonly [field: string]: unknown } | { readonly type: string };

/** An OpenAI tool call on an assistant message: a function call, or a custom tool's call. */
export type OpenAIToolCall =
  | { readonly id: string; readonly type: 'function' | (string & {}); readonly function: { readonly name: string; readonly arguments: string } }
  | { readonly id: string; readonly type: 'custom' | (string & {}); readonly custom: { readonly name: string; readonly input: string } };

/** An OpenAI chat message (`ChatCompletionMessageParam`). */
export interface OpenAIMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  readonly content?: string | readonly OpenAIPart[] | null;
  readonly tool_calls?: readonly OpenAIToolCall[];
  readonly tool_call_id?: string;
  readonly name?: string;
}

/** A message in either format. */
export type ChatMessage = AnthropicMessage | OpenAIMessage;

/** Which of the two formats a conversation is in. */
export type MessageFormat = 'anthropic' | 'openai';

/** A plain object as the layer reads it; every field is unknown until checked. */
export type Obj = Readonly<Record<string, unknown>>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as JSON text ('' when it has none, such as undefined or a cycle): how tool inputs are read and counted. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
