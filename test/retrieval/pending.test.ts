// Mixed turns: a response that called headroom_retrieve beside the caller's own tools comes back
// as it is; on the next request the missing answers are supplied — in place, in both formats, the
// same bytes on every turn even after the key expired — and the result is a valid request whose
// supplied answers compression leaves alone.
import { describe, expect, it } from 'vitest';
import { compress } from '../../src/compress.js';
import { anthropicToOpenAI } from '../../src/messages/convert.js';
import type { AnthropicMessage, OpenAIMessage } from '../../src/messages/types.js';
import { PendingRetrievals } from '../../src/retrieval/pending.js';
import { MemoryStore } from '../../src/retrieval/store.js';
import { corpusSample } from '../support/corpus.js';
import { deepFreeze } from '../support/conversations.js';
import { anthropicProtocolErrors, openAIProtocolErrors } from '../support/protocol.js';

const LOG = corpusSample('ciLog');
const OPTIONS = { maxBlockTokens: 1000 };

/** A conversation whose last assistant turn called the caller's tool and headroom_retrieve; only the caller's call is answered. */
async function mixedTurn(store: MemoryStore): Promise<{ history: AnthropicMessage[]; key: string }> {
  const start: AnthropicMessage[] = [
    { role: 'user', content: 'Why did CI fail?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_log', name: 'ci_log', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_log', content: LOG }] },
  ] as AnthropicMessage[];
  const first = await compress(start, { ...OPTIONS, store });
  const key = first.retrieval!.keys[0]!;
  const history = [
    ...start,
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Looking at the errors and the build file.' },
        { type: 'tool_use', id: 'toolu_read', name: 'read_pom', input: {} },
        { type: 'tool_use', id: 'toolu_hr', name: 'headroom_retrieve', input: { key, query: 'ERROR' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_read', content: '<project/>' }, { type: 'text', text: 'Here is the pom.' }] },
  ] as AnthropicMessage[];
  return { history: deepFreeze(history), key };
}

describe('PendingRetrievals', () => {
  it('Anthropic: the answer goes after the caller’s tool results, before its text; nothing else changes', async () => {
    const store = new MemoryStore();
    const { history, key } = await mixedTurn(store);
    const pending = new PendingRetrievals(store);
    const out = await pending.supply(history);
    expect(out.slice(0, 4).every((m, i) => m === history[i])).toBe(true);
    const expected = (await (await compress(history.slice(0, 3), { ...OPTIONS, store })).retrieval!.retrieve({ key, query: 'ERROR' })).text;
    expect(out[4]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_read', content: '<project/>' },
        { type: 'tool_result', tool_use_id: 'toolu_hr', content: expected },
        { type: 'text', text: 'Here is the pom.' },
      ],
    });
    expect(anthropicProtocolErrors(history)).not.toEqual([]);
    expect(anthropicProtocolErrors(out)).toEqual([]);
    // Answered already: the very same array back.
    expect(await pending.supply(out)).toBe(out);
    // Compressing the supplied request leaves the answer as it is.
    const sent = await compress(out, { ...OPTIONS, store });
    expect((sent.messages[4]!.content as unknown as { content: string }[])[1]!.content).toBe(expected);
  });

  it('gives the same bytes on a later turn, even after the key expired', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const { history } = await mixedTurn(store);
    const pending = new PendingRetrievals(store);
    const before = await pending.supply(history);
    now = 10 * 60 * 60 * 1000;
    const later = await pending.supply([...history, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'Thanks.' }]);
    expect(JSON.stringify(later.slice(0, before.length))).toBe(JSON.stringify(before));
    // Another instance, which never answered it, tells the model the key expired.
    const other = await new PendingRetrievals(store).supply(history);
    expect(JSON.stringify(other[4])).toContain('expired');
  });

  it('a retrieval call left last: its answers come in a user message of their own', async () => {
    const store = new MemoryStore();
    const { history } = await mixedTurn(store);
    const out = await new PendingRetrievals(store).supply(history.slice(0, 4));
    expect(out).toHaveLength(5);
    expect(out[4]).toMatchObject({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_hr' }] });
  });

  it('OpenAI: the tool message goes after the caller’s tool messages', async () => {
    const store = new MemoryStore();
    const { history } = await mixedTurn(store);
    const openai = deepFreeze(anthropicToOpenAI(history)) as OpenAIMessage[];
    const out = await new PendingRetrievals(store).supply(openai);
    expect(openAIProtocolErrors(openai)).not.toEqual([]);
    expect(openAIProtocolErrors(out)).toEqual([]);
    const at = out.findIndex((m) => m.role === 'tool' && m.tool_call_id === 'toolu_hr');
    expect(out[at - 1]).toMatchObject({ role: 'tool', tool_call_id: 'toolu_read' });
    expect(out[at]!.content).toContain('lines in block');
    expect(out).toHaveLength(openai.length + 1);
  });
});
