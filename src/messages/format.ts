// Which format a conversation is in. Both formats share `{ role: 'user' | 'assistant', content:
// string }` and `text` parts; a conversation with nothing only one format has is read as
// Anthropic (for it, both readings compress alike).

import { isObj, type MessageFormat, type Obj } from './types.js';

const OPENAI_ROLES = new Set(['system', 'developer', 'tool', 'function']);
const OPENAI_PARTS = new Set(['image_url', 'input_audio', 'file', 'refusal']);
const ANTHROPIC_BLOCKS = new Set([
  'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking',
  'server_tool_use', 'mcp_tool_use', 'mcp_tool_result', 'container_upload',
]);

/**
 * The format of `messages`. OpenAI's message-level features (tool/system roles, tool calls) decide
 * first, anywhere in the conversation — they are unambiguous, while an OpenAI conversation
 * converted from Anthropic may carry Anthropic blocks verbatim; then Anthropic tool blocks, which
 * an Anthropic conversation may hold alongside unknown blocks named like OpenAI parts; then the
 * first format-specific content part or block.
 */
export function detectFormat(messages: readonly unknown[]): MessageFormat {
  for (const m of messages) {
    if (!isObj(m)) continue;
    if (typeof m['role'] === 'string' && OPENAI_ROLES.has(m['role'])) return 'openai';
    if ('tool_calls' in m || 'tool_call_id' in m) return 'openai';
  }
  const parts = messages.flatMap((m) => {
    const content = isObj(m) ? m['content'] : undefined;
    return Array.isArray(content) ? content.filter((p): p is Obj => isObj(p) && typeof p['type'] === 'string') : [];
  });
  if (parts.some((p) => p['type'] === 'tool_use' || p['type'] === 'tool_result')) return 'anthropic';
  for (const part of parts) {
    const type = part['type'] as string;
    if (OPENAI_PARTS.has(type)) return 'openai';
    if (ANTHROPIC_BLOCKS.has(type) || type.endsWith('_tool_result')) return 'anthropic';
  }
  return 'anthropic';
}
