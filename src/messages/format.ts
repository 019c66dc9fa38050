// Which format a conversation is in. Both formats share `{ role: 'user' | 'assistant' | 'system',
// content }` (the Anthropic SDK's MessageParam may be a system message too) and `text` parts; a
// conversation with nothing only one format has is read as Anthropic (for it, both readings
// compress alike).

import { isObj, type MessageFormat, type Obj } from './types.js';

const OPENAI_ROLES = new Set(['developer', 'tool', 'function']);
const OPENAI_PARTS = new Set(['image_url', 'input_audio', 'file', 'refusal']);
const ANTHROPIC_BLOCKS = new Set([
  'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking',
  'server_tool_use', 'mcp_tool_use', 'mcp_tool_result', 'container_upload',
]);

/**
 * The format of `messages`. OpenAI's message-level features (tool/developer roles, tool calls) decide
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

/**
 * What a conversation read as `format` holds that only the other format has (Anthropic tool_use /
 * tool_result blocks in OpenAI chat; tool messages or tool calls in Anthropic Messages): content
 * compression cannot reach, said so in the result rather than skipped silently.
 */
export function unreadable(messages: readonly unknown[], format: MessageFormat): string[] {
  const notes: string[] = [];
  const other = format === 'anthropic' ? 'OpenAI chat' : 'Anthropic Messages';
  const read = format === 'anthropic' ? 'Anthropic Messages' : 'OpenAI chat';
  messages.forEach((m, i) => {
    if (!isObj(m)) return;
    let what: string | undefined;
    if (format === 'anthropic') {
      if (m['role'] === 'tool' || m['role'] === 'function') what = `a ${m['role']} message`;
      else if ('tool_calls' in m) what = 'tool_calls';
    } else {
      const content = m['content'];
      const block = Array.isArray(content)
        ? content.find((b): b is Obj => isObj(b) && (b['type'] === 'tool_result' || b['type'] === 'tool_use'))
        : undefined;
      if (block !== undefined) what = `a ${block['type'] as string} block`;
    }
    if (what !== undefined) notes.push(`messages[${i}] holds ${what} (${other}) in a conversation read as ${read}: left uncompressed`);
  });
  return notes;
}
