// The valid-protocol rules of PRODUCT §3.8, as a checker: tool_use answered by tool_result at the
// start of the next user message (OpenAI: tool calls answered by the tool messages that follow),
// no empty text, at most 4 cache_control markers with 1-hour ones before 5-minute ones.
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const blocks = (m: unknown): Obj[] => (isObj(m) && Array.isArray(m['content']) ? (m['content'] as unknown[]).filter(isObj) : []);

/** Everything wrong with an Anthropic conversation, as messages (empty when valid). */
export function anthropicProtocolErrors(messages: readonly unknown[]): string[] {
  const errors: string[] = [];
  messages.forEach((m, i) => {
    if (!isObj(m)) return;
    const content = blocks(m);
    if (m['role'] === 'assistant') {
      const uses = content.filter((b) => b['type'] === 'tool_use').map((b) => b['id']);
      if (uses.length === 0) return;
      const next = messages[i + 1];
      if (!isObj(next) || next['role'] !== 'user') {
        errors.push(`message ${i}: tool_use without a following user message`);
        return;
      }
      const nextBlocks = blocks(next);
      const leading: unknown[] = [];
      for (const b of nextBlocks) {
        if (b['type'] !== 'tool_result') break;
        leading.push(b['tool_use_id']);
      }
      const all = nextBlocks.filter((b) => b['type'] === 'tool_result').map((b) => b['tool_use_id']);
      if (all.length !== leading.length) errors.push(`message ${i + 1}: tool_result after another block`);
      if ([...uses].sort().join() !== [...leading].sort().join()) errors.push(`message ${i + 1}: tool_results ${leading.join()} do not answer ${uses.join()}`);
    } else if (m['role'] === 'user') {
      const results = content.filter((b) => b['type'] === 'tool_result');
      if (results.length === 0) return;
      const previous = messages[i - 1];
      const uses = new Set(blocks(previous).filter((b) => b['type'] === 'tool_use').map((b) => b['id']));
      for (const r of results) if (!uses.has(r['tool_use_id'])) errors.push(`message ${i}: tool_result ${String(r['tool_use_id'])} answers no tool_use`);
    }
  });
  errors.push(...textAndCacheErrors(messages));
  return errors;
}

/** Everything wrong with an OpenAI conversation (empty when valid). */
export function openAIProtocolErrors(messages: readonly unknown[]): string[] {
  const errors: string[] = [];
  let open = new Set<unknown>();
  messages.forEach((m, i) => {
    if (!isObj(m)) return;
    if (m['role'] === 'tool') {
      if (!open.delete(m['tool_call_id'])) errors.push(`message ${i}: tool message ${String(m['tool_call_id'])} answers no open call`);
      return;
    }
    if (open.size > 0) errors.push(`message ${i}: calls ${[...open].join()} unanswered`);
    open = new Set(Array.isArray(m['tool_calls']) ? (m['tool_calls'] as Obj[]).map((c) => c['id']) : []);
  });
  if (open.size > 0) errors.push(`calls ${[...open].join()} unanswered at the end`);
  errors.push(...textAndCacheErrors(messages));
  return errors;
}

function textAndCacheErrors(messages: readonly unknown[]): string[] {
  const errors: string[] = [];
  const ttls: string[] = [];
  const stack: unknown[] = [...messages].reverse();
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let k = v.length - 1; k >= 0; k--) stack.push(v[k]);
      continue;
    }
    if (!isObj(v)) continue;
    if (v['type'] === 'text' && (typeof v['text'] !== 'string' || !/\S/.test(v['text']))) errors.push('empty text block');
    const cc = v['cache_control'];
    if (isObj(cc)) ttls.push(cc['ttl'] === '1h' ? '1h' : '5m');
    if (Array.isArray(v['content'])) stack.push(v['content']);
  }
  if (ttls.length > 4) errors.push(`${ttls.length} cache_control markers`);
  if (ttls.includes('5m') && ttls.lastIndexOf('1h') > ttls.indexOf('5m')) errors.push('a 1h cache_control after a 5m one');
  return errors;
}
