// Which tokenizer counts a model's text. Claude has no public tokenizer, so Claude models (and any
// model id we do not know) are counted with o200k_base; AnthropicProvider applies its own factor.

import type { EncodingName } from '../engine/types.js';

/** Model families counted with cl100k_base; `gpt-4o` and `gpt-4.1` are matched first as o200k. */
const O200K_PREFIXES = ['gpt-4o', 'gpt-4.1', 'gpt-4.5', 'gpt-5', 'o1', 'o3', 'o4', 'chatgpt-4o', 'gpt-oss'];
const CL100K_PREFIXES = ['gpt-4', 'gpt-3.5', 'text-embedding-3', 'text-embedding-ada-002'];

/** The encoding for a model id: o200k_base unless it is a cl100k_base OpenAI family. */
export function encodingForModel(model: string): EncodingName {
  const id = model.toLowerCase();
  if (O200K_PREFIXES.some((p) => id.startsWith(p))) return 'o200k_base';
  if (CL100K_PREFIXES.some((p) => id.startsWith(p))) return 'cl100k_base';
  return 'o200k_base';
}
