// What `headroom compress` and `headroom explain` read: a file or stdin holding either raw tool
// output (compressed as one tool result) or a JSON request body in Anthropic or OpenAI format
// (its messages compressed as a client would send them).

import { readFile } from 'node:fs/promises';
import { compress, type AnthropicMessage, type ChatMessage, type CompressResult } from '../index.js';
import { detectFormat } from '../messages/format.js';
import { asApiRequest, compressRequest, type ApiRequest, type BaseOptions } from '../server/request.js';

export type Input = { kind: 'raw'; text: string } | { kind: 'request'; request: ApiRequest; bare: boolean };

/** Reads a path, or stdin for `-`. */
export async function readSource(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A request body (or a bare array of messages) when the text is one; raw tool output otherwise. */
export function classify(text: string): Input {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: 'raw', text };
    }
    const request = asApiRequest(value);
    if (request !== undefined) return { kind: 'request', request, bare: Array.isArray(value) };
  }
  return { kind: 'raw', text };
}

/** Raw tool output as the one tool result of a conversation. */
export function toolConversation(text: string): AnthropicMessage[] {
  return [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_headroom_cli', content: text }] }];
}

export interface Compressed {
  /** What stdout gets: the compressed text, or the compressed request as JSON. */
  output: string;
  result: CompressResult;
  /** The messages that were compressed (for explain). */
  messages: readonly ChatMessage[];
  source: 'raw' | 'anthropic' | 'openai';
}

/** Compresses an input as `headroom compress` does. */
export async function compressInput(input: Input, options: BaseOptions): Promise<Compressed> {
  if (input.kind === 'raw') {
    const messages = toolConversation(input.text);
    const result = await compress(messages, options);
    const block = (result.messages[0]!.content as ReadonlyArray<{ content?: unknown }>)[0]!;
    return { output: typeof block.content === 'string' ? block.content : input.text, result, messages, source: 'raw' };
  }
  const { body, result } = await compressRequest(input.request, options);
  const output = JSON.stringify(input.bare ? body['messages'] : body);
  return { output, result, messages: input.request.messages, source: detectFormat(input.request.messages) };
}
