// Lossless conversion: Anthropic → OpenAI → Anthropic is a deep-equal copy for every block type,
// and the OpenAI side is the shape an OpenAI-format consumer expects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicToOpenAI, openAIToAnthropic, SIDE_FIELD } from '../../src/messages/convert.js';
import { detectFormat } from '../../src/messages/format.js';
import type { AnthropicMessage, OpenAIMessage } from '../../src/messages/types.js';
import { conversation, deepFreeze, openAIConversation } from '../support/conversations.js';

const roundTrip = (m: readonly AnthropicMessage[]): AnthropicMessage[] => openAIToAnthropic(anthropicToOpenAI(m));

describe('anthropicToOpenAI / openAIToAnthropic', () => {
  it('round-trips generated conversations with every block type to a deep-equal copy', () => {
    fc.assert(
      fc.property(conversation, (messages) => {
        // structuredClone: plain prototypes (fast-check may generate null-prototype records)
        const input = structuredClone(messages) as AnthropicMessage[];
        const back = roundTrip(deepFreeze(input));
        expect(back).toStrictEqual(structuredClone(messages));
      }),
      { seed: 20240501, numRuns: 300 },
    );
  });

  it('maps tool use and tool results onto OpenAI tool calls and tool messages', () => {
    const messages: AnthropicMessage[] = [
      { role: 'user', content: 'What failed?' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'check logs', signature: 'sig==' },
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'a', name: 'logs', input: { service: 'api' } },
          { type: 'tool_use', id: 'b', name: 'grep', input: { q: 'error' } },
        ] as AnthropicMessage['content'],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'a', content: 'line 1', is_error: true },
          { type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: 'x.rs:1:error' }] },
          { type: 'text', text: 'and?' },
        ] as AnthropicMessage['content'],
      },
    ];
    const openai = anthropicToOpenAI(messages);
    expect(openai).toEqual([
      { role: 'user', content: 'What failed?' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'check logs', signature: 'sig==' },
          { type: 'text', text: 'Looking.' },
        ],
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'logs', arguments: '{"service":"api"}' } },
          { id: 'b', type: 'function', function: { name: 'grep', arguments: '{"q":"error"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'line 1', is_error: true },
      { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'x.rs:1:error' }] },
      { role: 'user', content: [{ type: 'text', text: 'and?' }], [SIDE_FIELD]: { continues: true } },
    ]);
    expect(detectFormat(openai)).toBe('openai');
    expect(detectFormat(messages)).toBe('anthropic');
    expect(openAIToAnthropic(openai)).toStrictEqual(messages);
  });

  it('converts base64 and URL images and base64 PDFs to OpenAI parts, and back', () => {
    const messages: AnthropicMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0=' }, cache_control: { type: 'ephemeral' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'Spec' },
          { type: 'image', source: { type: 'file', file_id: 'file_1' } },
        ] as AnthropicMessage['content'],
      },
    ];
    const [user] = anthropicToOpenAI(messages);
    expect(user).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0=' }, cache_control: { type: 'ephemeral' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' }, title: 'Spec' },
        { type: 'image', source: { type: 'file', file_id: 'file_1' } },
      ],
    });
    expect(roundTrip(messages)).toStrictEqual(messages);
  });

  it('keeps message boundaries: consecutive user messages of tool results stay apart', () => {
    const messages = [
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'x' }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b' }] },
      { role: 'user', content: [] },
      { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'tool_use', id: 'c', name: 'n', input: {} }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: [] },
      { role: 'assistant', content: '' },
    ] as AnthropicMessage[];
    expect(roundTrip(messages)).toStrictEqual(messages);
  });

  it('round-trips unknown Anthropic blocks shaped like OpenAI parts', () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,AA==' } },
          { type: '_anthropic', block: { type: 'text', text: 'x' } },
        ],
      },
    ] as unknown as AnthropicMessage[];
    expect(roundTrip(messages)).toStrictEqual(messages);
  });

  it('shares untouched blocks by reference', () => {
    const text = { type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: '1h' } };
    const thinking = { type: 'thinking', thinking: 't', signature: 's' };
    const messages = [
      { role: 'user', content: [text] },
      { role: 'assistant', content: [thinking] },
    ] as AnthropicMessage[];
    const back = roundTrip(messages);
    expect((back[0]!.content as unknown[])[0]).toBe(text);
    expect((back[1]!.content as unknown[])[0]).toBe(thinking);
  });

  it('converts plain OpenAI conversations: parallel tool messages become one user message', () => {
    const openai: OpenAIMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }, { id: '2', type: 'function', function: { name: 'g', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: '1', content: 'one' },
      { role: 'tool', tool_call_id: '2', content: 'two' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }] },
    ];
    expect(openAIToAnthropic(openai)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: '1', name: 'f', input: { a: 1 } }, { type: 'tool_use', id: '2', name: 'g', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: '1', content: 'one' }, { type: 'tool_result', tool_use_id: '2', content: 'two' }] },
      // image detail has no Anthropic equivalent: the part passes verbatim
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }] },
    ]);
  });

  it('rejects what is not a message list, naming the argument', () => {
    expect(() => anthropicToOpenAI('hi' as never)).toThrow(/anthropicToOpenAI: messages must be an array/);
    expect(() => anthropicToOpenAI([{ content: 'x' }] as never)).toThrow(TypeError);
    expect(() => anthropicToOpenAI([{ content: 'x' }] as never)).toThrow(/messages\[0\]\.role must be a string/);
    expect(() => openAIToAnthropic([null] as never)).toThrow(/openAIToAnthropic: messages\[0\] must be an object/);
  });

  it('round-trips generated OpenAI conversations the other way, OpenAI → Anthropic → OpenAI', () => {
    fc.assert(
      fc.property(openAIConversation, (messages) => {
        const input = structuredClone(messages) as unknown as OpenAIMessage[];
        const back = anthropicToOpenAI(openAIToAnthropic(deepFreeze(input)));
        expect(back).toStrictEqual(structuredClone(messages));
      }),
      { seed: 20241204, numRuns: 300 },
    );
  });

  it('round-trips histories with a system prompt both ways (the Anthropic SDK’s system MessageParam too)', () => {
    const openai: OpenAIMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
      { role: 'user', content: 'hi' },
    ];
    expect(anthropicToOpenAI(openAIToAnthropic(openai))).toStrictEqual(openai);
    const anthropic: AnthropicMessage[] = [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: 'hi' },
    ];
    expect(anthropicToOpenAI(anthropic)[0]).toBe(anthropic[0]);
    expect(openAIToAnthropic(anthropicToOpenAI(anthropic))).toStrictEqual(anthropic);
  });
});
