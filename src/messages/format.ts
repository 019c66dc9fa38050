// Which format a conversation is in. Both formats share `{ role: 'user' | 'assistant', content:
// string }` and `text` parts; the first message that uses something only one format has decides.
// A conversation with no such signal is read as Anthropic (for it, both readings compress alike).

import { isObj, type MessageFormat } from './types.js';

const OPENAI_ROLES = new Set(['system', 'developer', 'tool', 'function']);
const OPENAI_PARTS = new Set(['image_url', 'input_audio', 'file', 'refusal']);
const ANTHROPIC_BLOCKS = new Set([
  'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking',
  'server_tool_use', 'mcp_tool_use', 'mcp_tool_result', 'container_upload',
]);

/** The format of `messages`: the first message with a format-specific feature decides. */
export function detectFormat(messages: readonly unknown[]): MessageFormat {
  for (const m of messages) {
    if (!isObj(m)) continue;
    if (typeof m['role'] === 'string' && OPENAI_ROLES.has(m['role'])) return 'openai';
    if ('tool_calls' in m || 'tool_call_id' in m) return 'openai';
    const content = m['content'];
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      if (!isObj(part) || typeof part['type'] !== 'string') continue;
      const type = part['type'];
      if (OPENAI_PARTS.has(type)) return 'openai';
      if (ANTHROPIC_BLOCKS.has(type) || type.endsWith('_tool_result')) return 'anthropic';
    }
  }
  return 'anthropic';
}
