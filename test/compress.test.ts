// compress() / compressSync() over Anthropic and OpenAI messages, with a stand-in engine whose blocks
// really shrink (the folding engine of test/support/fake-engine.ts): eligibility, the pipeline,
// the stable query, the memo, deadlines, fail-open, hooks, argument checks.
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith, countMessageTokens, type CompressOptions } from '../src/compress.js';
import { anthropicToOpenAI, openAIToAnthropic } from '../src/messages/convert.js';
import { Memo } from '../src/messages/memo.js';
import type { AnthropicMessage, ChatMessage, OpenAIMessage } from '../src/messages/types.js';
import { compress, compressSync } from '../src/index.js';
import { deepFreeze } from './support/conversations.js';
import { fakeEngine, type FakeEngine } from './support/fake-engine.js';

/** A log of `n` distinct lines, each repeated `times` times: folds to n lines. */
function repetitiveLog(n: number, times: number, tag = 'worker'): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) for (let t = 0; t < times; t++) lines.push(`2024-05-01T10:00:${String(i % 60).padStart(2, '0')} INFO ${tag} step ${i} finished`);
  return lines.join('\n');
}

const LOG = repetitiveLog(20, 8);

function env(engine: FakeEngine = fakeEngine()) {
  return { engine, memo: new Memo() };
}

function agentConversation(): AnthropicMessage[] {
  return [
    { role: 'user', content: 'Why did the deploy fail?' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Check the logs.', signature: 'c2ln' },
        { type: 'tool_use', id: 't1', name: 'fetch_logs', input: { service: 'api' } },
        { type: 'tool_use', id: 't2', name: 'Read', input: { path: 'src/app.ts' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: LOG, cache_control: { type: 'ephemeral' } },
        { type: 'tool_result', tool_use_id: 't2', content: LOG },
      ],
    },
  ] as AnthropicMessage[];
}

describe('compress on Anthropic messages', () => {
  it('compresses tool output, keeps everything else by reference, and reports each block', () => {
    const input = deepFreeze(agentConversation());
    const result = compressSyncWith(env(), input);
    const [first, assistant, user] = result.messages;
    expect(first).toBe(input[0]);
    expect(assistant).toBe(input[1]);
    const blocks = user!.content as unknown as { content: string; cache_control?: unknown }[];
    expect(blocks[0]!.content).toBe(repetitiveLogFolded(20, 8));
    expect(blocks[0]!.cache_control).toBe((input[2]!.content as unknown as { cache_control: unknown }[])[0]!.cache_control);
    // Read is protected by default: its output is file content the model must see verbatim.
    expect(blocks[1]).toBe((input[2]!.content as unknown[])[1]);
    expect(result.blocks).toEqual([
      expect.objectContaining({ messageIndex: 2, blockIndex: 0, kind: 'log', strategy: 'fake:fold' }),
    ]);
    expect(result.blocks[0]).not.toHaveProperty('partIndex');
    expect(result.transformsApplied).toEqual(['fake:fold']);
    expect(result.tokensSaved).toBe(result.blocks[0]!.tokensBefore - result.blocks[0]!.tokensAfter);
    expect(result.tokensBefore).toBe(countMessageTokens(input));
    expect(result.tokensAfter).toBe(countMessageTokens(result.messages));
    expect(result.compressionRatio).toBeCloseTo(result.tokensAfter / result.tokensBefore);
    expect(result.savingsPercent).toBeCloseTo((100 * result.tokensSaved) / result.tokensBefore);
    expect(result.tokenizer).toBe('o200k_base');
    expect(result.failures).toEqual([]);
    expect(result.messages).not.toBe(input);
  });

  it('compresses text blocks inside tool_result content and reports their part index', () => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'run', input: {} }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'a', content: [{ type: 'text', text: 'short' }, { type: 'text', text: LOG }] },
        ],
      },
    ] as AnthropicMessage[];
    const result = compressSyncWith(env(), input);
    const inner = (result.messages[2]!.content as unknown as { content: { text: string }[] }[])[0]!.content;
    expect(inner[0]).toBe(((input[2]!.content as unknown as { content: unknown[] }[])[0]!.content)[0]);
    expect(inner[1]!.text).toBe(repetitiveLogFolded(20, 8));
    expect(result.blocks[0]).toMatchObject({ messageIndex: 2, blockIndex: 0, partIndex: 1 });
  });

  it('protectTools globs replace the default list', () => {
    const input = agentConversation();
    const named = (name: string): AnthropicMessage[] => {
      const copy = structuredClone(input);
      (copy[1]!.content as unknown as { name: string }[])[2]!.name = name;
      return copy;
    };
    const r1 = compressSyncWith(env(), named('mcp__fs__read'), { protectTools: ['mcp__*'] });
    expect(r1.blocks.map((b) => b.blockIndex)).toEqual([0]);
    // With a list that does not name Read, Read's output is compressed too.
    const r2 = compressSyncWith(env(), input, { protectTools: ['mcp__*'] });
    expect(r2.blocks.map((b) => b.blockIndex)).toEqual([0, 1]);
    const r3 = compressSyncWith(env(), input, { protectTools: ['fetch_?ogs', 'Read'] });
    expect(r3.blocks).toEqual([]);
  });

  it('compresses user text only when it detects as machine output', () => {
    const prose = 'Please look at these logs and tell me what went wrong. '.repeat(30);
    const input: AnthropicMessage[] = [
      { role: 'user', content: [{ type: 'text', text: prose }, { type: 'text', text: LOG }] },
    ] as AnthropicMessage[];
    const engine = fakeEngine();
    const result = compressSyncWith(env(engine), input);
    const content = result.messages[0]!.content as unknown as { text: string }[];
    expect(content[0]).toBe((input[0]!.content as unknown[])[0]);
    expect(content[1]!.text).toBe(repetitiveLogFolded(20, 8));
    // The prose was detected but never sent to compression.
    expect(engine.batches.flat().map((i) => i.content)).toEqual([LOG]);
    // A string user message that is machine output is compressed as well.
    const asString = compressSyncWith(env(), [{ role: 'user', content: LOG }]);
    expect(asString.messages[0]!.content).toBe(repetitiveLogFolded(20, 8));
    expect(asString.blocks[0]).toMatchObject({ messageIndex: 0, blockIndex: -1 });
  });

  it('never touches system, assistant text, thinking, tool_use input, images or documents', () => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: btoa(LOG) } }, { type: 'document', source: { type: 'text', media_type: 'text/plain', data: LOG } }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: LOG, signature: 's' }, { type: 'text', text: LOG }, { type: 'tool_use', id: 'x', name: 'n', input: { log: LOG } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'ok' }, { type: 'text', text: LOG, citations: [{ type: 'char_location' }] }] },
    ] as AnthropicMessage[];
    const result = compressSyncWith(env(), input, { system: LOG });
    result.messages.forEach((m, i) => expect(m).toBe(input[i]));
    expect(result.tokensSaved).toBe(0);
  });

  it('leaves blocks under minTokens alone and honours maxBlockTokens', () => {
    const input = agentConversation();
    expect(compressSyncWith(env(), input, { minTokens: 100_000 }).blocks).toEqual([]);
    const lossless = compressSyncWith(env(), input, { maxBlockTokens: Infinity });
    expect(lossless.blocks[0]!.strategy).toBe('fake:fold');
    const cut = compressSyncWith(env(), input, { maxBlockTokens: 60 });
    expect(cut.blocks[0]!.strategy).toBe('fake:cut');
    expect(cut.blocks[0]!.tokensAfter).toBeLessThanOrEqual(60);
  });

  it('enabled: false passes everything through, still counting', () => {
    const input = agentConversation();
    const engine = fakeEngine();
    const result = compressSyncWith(env(engine), input, { enabled: false });
    result.messages.forEach((m, i) => expect(m).toBe(input[i]));
    expect(result.tokensBefore).toBe(countMessageTokens(input));
    expect(result.tokensAfter).toBe(result.tokensBefore);
    expect(result.transformsApplied).toEqual([]);
    expect(engine.batches).toEqual([]);
  });
});

function repetitiveLogFolded(n: number, times: number, tag = 'worker'): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`2024-05-01T10:00:${String(i % 60).padStart(2, '0')} INFO ${tag} step ${i} finished [×${times}]`);
  return lines.join('\n');
}

describe('the stable query', () => {
  it('is the producing call input plus the user turn that led to it, never the latest message', () => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: 'Find the timeout in the api logs' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'logs', input: { service: 'api' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: LOG }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'b', name: 'logs', input: { service: 'db' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b', content: repetitiveLog(20, 8, 'db') }, { type: 'text', text: 'Now check the database' }] },
    ] as AnthropicMessage[];
    const engine = fakeEngine();
    compressSyncWith(env(engine), input);
    const queries = engine.batches.flat().map((i) => i.options.query);
    expect(queries).toEqual(['{"service":"api"}\nFind the timeout in the api logs', '{"service":"db"}\nFind the timeout in the api logs']);
    // A later human turn only affects calls made after it.
    const later = [...input, { role: 'assistant', content: [{ type: 'tool_use', id: 'c', name: 'logs', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c', content: repetitiveLog(20, 8, 'late') }] }] as AnthropicMessage[];
    const engine2 = fakeEngine();
    compressSyncWith(env(engine2), later);
    expect(engine2.batches.flat().map((i) => i.options.query)).toEqual([...queries, '{}\nNow check the database']);
  });

  it('excludes machine output from the human text, and options.query replaces it all', () => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'what broke?' }, { type: 'text', text: LOG }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'logs', input: { q: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: repetitiveLog(5, 9, 'x') }] },
    ] as AnthropicMessage[];
    const engine = fakeEngine();
    compressSyncWith(env(engine), input);
    expect(engine.batches.flat().map((i) => i.options.query)).toEqual(['what broke?', '{"q":1}\nwhat broke?']);
    const engine2 = fakeEngine();
    compressSyncWith(env(engine2), input, { query: 'disk full' });
    expect(engine2.batches.flat().map((i) => i.options.query)).toEqual(['disk full', 'disk full']);
  });
});

describe('format detection', () => {
  it('reads a conversation holding the Anthropic SDK’s system MessageParam as Anthropic, and compresses it', () => {
    const input: AnthropicMessage[] = [{ role: 'system', content: 'You are an SRE.' }, ...agentConversation()];
    const result = compressSyncWith(env(), input);
    expect(result.blocks).toEqual([expect.objectContaining({ messageIndex: 3, blockIndex: 0, kind: 'log' })]);
    expect(result.messages[0]).toBe(input[0]);
    expect(result.notes).toEqual([]);
  });

  it('says in the result when tool output in the other format’s shape is left uncompressed', () => {
    const anthropic = agentConversation();
    const forced = compressSyncWith(env(), anthropic, { format: 'openai' });
    expect(forced.blocks).toEqual([]);
    expect(forced.notes).toEqual([
      'messages[1] holds a tool_use block (Anthropic Messages) in a conversation read as OpenAI chat: left uncompressed',
      'messages[2] holds a tool_result block (Anthropic Messages) in a conversation read as OpenAI chat: left uncompressed',
    ]);
    const mixed = compressSyncWith(env(), [...anthropic, { role: 'tool', tool_call_id: 't9', content: 'ok' }] as never);
    expect(mixed.notes).toHaveLength(2);
  });
});

describe('protectTools defaults', () => {
  it.each(['str_replace_based_edit_tool', 'str_replace_editor', 'read_file', 'view', 'Read'])('leaves the output of %s untouched: a later exact-match edit needs it verbatim', (name) => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: 'Fix the bug.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name, input: { command: 'view', path: 'app.log' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: LOG }] },
    ];
    const result = compressSyncWith(env(), input);
    expect(result.messages[2]).toBe(input[2]);
    expect(result.blocks).toEqual([]);
  });
});

describe('compress on OpenAI messages', () => {
  const openai: OpenAIMessage[] = [
    { role: 'system', content: LOG },
    { role: 'user', content: 'Why did the deploy fail?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'fetch_logs', arguments: '{"service":"api"}' } }, { id: 't2', type: 'function', function: { name: 'Read', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 't1', content: LOG },
    { role: 'tool', tool_call_id: 't2', content: [{ type: 'text', text: LOG }] },
    { role: 'user', content: [{ type: 'text', text: LOG }] },
  ];

  it('compresses tool messages and machine-output user text, in OpenAI format', () => {
    const result = compressSyncWith(env(), openai);
    expect(result.messages.slice(0, 3)).toEqual(openai.slice(0, 3));
    result.messages.slice(0, 3).forEach((m, i) => expect(m).toBe(openai[i]));
    expect(result.messages[3]).toEqual({ role: 'tool', tool_call_id: 't1', content: repetitiveLogFolded(20, 8) });
    expect(result.messages[4]).toBe(openai[4]);
    expect(result.messages[5]).toEqual({ role: 'user', content: [{ type: 'text', text: repetitiveLogFolded(20, 8) }] });
    expect(result.blocks.map((b) => [b.messageIndex, b.blockIndex])).toEqual([[3, -1], [5, 0]]);
  });

  it('gives the same compression as the Anthropic form of the same conversation', () => {
    const anthropic = agentConversation();
    const a = compressSyncWith(env(), anthropic);
    const o = compressSyncWith(env(), anthropicToOpenAI(anthropic));
    expect(openAIToAnthropic(o.messages)).toEqual(a.messages);
  });
});

describe('the memo', () => {
  it('serves a resent conversation from the memo and compresses only the new turn', () => {
    const e = env();
    const turn1 = agentConversation();
    const r1 = compressSyncWith(e, turn1);
    expect(r1.memo).toEqual({ hits: 0, misses: 1 });
    const r1again = compressSyncWith(e, structuredClone(turn1));
    expect(r1again.memo).toEqual({ hits: 1, misses: 0 });
    expect(r1again.messages).toEqual(r1.messages);
    const newLog = repetitiveLog(10, 5, 'next');
    const turn2 = [
      ...turn1,
      { role: 'assistant', content: [{ type: 'tool_use', id: 't3', name: 'fetch_logs', input: { service: 'db' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't3', content: newLog }] },
    ] as AnthropicMessage[];
    const before = e.engine.batches.length;
    const r2 = compressSyncWith(e, turn2);
    expect(r2.memo).toEqual({ hits: 1, misses: 1 });
    expect(e.engine.batches.slice(before).map((b) => b.map((i) => i.content))).toEqual([[newLog]]);
    // Prefix stability: the first request's compressed messages are a prefix of the second's.
    expect(JSON.stringify(r2.messages.slice(0, r1.messages.length))).toBe(JSON.stringify(r1.messages));
  });

  it('a deadline on a later turn never changes a block compressed on an earlier one', async () => {
    const e = env();
    const turn1 = agentConversation();
    const r1 = await compressWith(e, turn1);
    const turn2 = [
      ...turn1,
      { role: 'assistant', content: [{ type: 'tool_use', id: 't3', name: 'fetch_logs', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't3', content: repetitiveLog(10, 5, 'next') }] },
    ] as AnthropicMessage[];
    const r2 = await compressWith(e, turn2, { timeoutMs: 0 });
    expect(JSON.stringify(r2.messages.slice(0, 3))).toBe(JSON.stringify(r1.messages));
    expect(r2.messages[4]).toBe(turn2[4]);
    expect(r2.failures).toEqual([{ messageIndex: 4, blockIndex: 0, reason: 'timeout', message: 'stopped' }]);
    // The block that missed its deadline is compressed on the next call: failures are not memoised.
    const r3 = await compressWith(e, turn2);
    expect(r3.failures).toEqual([]);
    expect(r3.blocks.map((b) => b.messageIndex)).toEqual([2, 4]);
  });
});

describe('deadlines, abort and failures', () => {
  it('an aborted signal leaves every block not yet compressed untouched, reported as aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const input = agentConversation();
    const result = await compressWith(env(), input, { signal: controller.signal });
    result.messages.forEach((m, i) => expect(m).toBe(input[i]));
    expect(result.failures).toEqual([{ messageIndex: 2, blockIndex: 0, reason: 'aborted', message: 'stopped' }]);
    expect(result.tokensAfter).toBe(result.tokensBefore);
    const sync = compressSyncWith(env(), input, { signal: controller.signal });
    expect(sync.failures.map((f) => f.reason)).toEqual(['aborted']);
  });

  it('fails open per block: an engine error leaves only that block untouched', () => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: [{ type: 'text', text: `${LOG}\nBOOM` }, { type: 'text', text: repetitiveLog(9, 9, 'ok') }] },
    ] as AnthropicMessage[];
    const result = compressSyncWith(env(fakeEngine({ failOn: 'BOOM' })), input);
    const content = result.messages[0]!.content as unknown[];
    expect(content[0]).toBe((input[0]!.content as unknown[])[0]);
    expect(result.blocks.map((b) => b.blockIndex)).toEqual([1]);
    expect(result.failures).toEqual([{ messageIndex: 0, blockIndex: 0, reason: 'error', message: 'cannot compress a block containing BOOM' }]);
  });

  it('an internal failure returns the original messages with the reason', () => {
    const broken = { ...fakeEngine(), detectKinds: (): never => { throw new Error('detector exploded'); } };
    const input = [{ role: 'user', content: LOG }] as AnthropicMessage[];
    const result = compressSyncWith({ engine: broken, memo: new Memo() }, input);
    expect(result.messages[0]).toBe(input[0]);
    expect(result.failures[0]!.message).toMatch(/detector exploded/);
    expect(result.tokensBefore).toBe(countMessageTokens(input));
  });
});

describe('hooks', () => {
  it('preCompress may replace the messages and postCompress the result', async () => {
    const seen: unknown[] = [];
    const options: CompressOptions<AnthropicMessage> = {
      hooks: {
        preCompress: (messages) => {
          seen.push(messages);
          return [...messages, { role: 'user', content: 'added' }];
        },
        postCompress: (result) => ({ ...result, transformsApplied: [...result.transformsApplied, 'hooked'] }),
      },
    };
    const input = agentConversation();
    const result = await compressWith(env(), input, options);
    expect(seen).toEqual([input]);
    expect(result.messages).toHaveLength(4);
    expect(result.transformsApplied).toEqual(['fake:fold', 'hooked']);
    const sync = compressSyncWith(env(), input, options);
    expect(sync.transformsApplied).toEqual(['fake:fold', 'hooked']);
    expect(() => compressSyncWith(env(), input, { hooks: { postCompress: async () => undefined } })).toThrow(/compressSync: hooks.postCompress returned a promise/);
  });
});

describe('argument checks', () => {
  const m: ChatMessage[] = [{ role: 'user', content: 'hi' }];
  it.each([
    [() => compressSync('hi' as never), TypeError, /compressSync: messages must be an array/],
    [() => compressSync([null] as never), TypeError, /messages\[0\] must be a message object/],
    [() => compressSync([{ content: 'x' }] as never), TypeError, /messages\[0\]\.role must be a string/],
    [() => compressSync(m, 5 as never), TypeError, /options must be an object/],
    [() => compressSync(m, { minTokens: -1 }), RangeError, /options\.minTokens must be an integer ≥ 0 or Infinity, got -1/],
    [() => compressSync(m, { minTokens: '5' as never }), TypeError, /options\.minTokens must be a number/],
    [() => compressSync(m, { maxBlockTokens: 0 }), RangeError, /options\.maxBlockTokens/],
    [() => compressSync(m, { tokenBudget: Infinity }), RangeError, /options\.tokenBudget/],
    [() => compressSync(m, { maxTokens: 1.5 }), RangeError, /options\.maxTokens/],
    [() => compressSync(m, { timeoutMs: -5 }), RangeError, /options\.timeoutMs/],
    [() => compressSync(m, { format: 'xml' as never }), TypeError, /options\.format must be "anthropic" or "openai"/],
    [() => compressSync(m, { protectTools: [3] as never }), TypeError, /options\.protectTools\[0\] must be a string/],
    [() => compressSync(m, { hooks: { preCompress: 1 } as never }), TypeError, /options\.hooks\.preCompress must be a function/],
    [() => compressSync(m, { signal: {} as never }), TypeError, /options\.signal must be an AbortSignal/],
    [() => compressSync(m, { enabled: 'no' as never }), TypeError, /options\.enabled must be a boolean/],
    [() => compressSync(m, { provider: {} as never }), TypeError, /options\.provider must be a Provider/],
    [() => countMessageTokens(m, { encoding: 'p50k' as never }), TypeError, /countMessageTokens: options\.encoding/],
    [() => compressSync(m, { maxBlockToken: 2000 } as never), TypeError, /options\.maxBlockToken is not an option \(did you mean maxBlockTokens\?\)/],
    [() => compressSync(m, { protect_tools: [] } as never), TypeError, /options\.protect_tools is not an option \(did you mean protectTools\?\)/],
    [() => compressSync(m, { colour: 'red' } as never), TypeError, /options\.colour is not an option; the options are model, format/],
    [() => compressSync([{ role: 'user', content: null }] as never), TypeError, /messages\[0\]\.content must be a string or an array of content blocks, got null/],
    [() => compressSync([{ role: 'user', content: 42 }] as never), TypeError, /messages\[0\]\.content must be a string or an array of content blocks, got number 42/],
    [() => compressSync([{ role: 'user' }] as never), TypeError, /messages\[0\]\.content must be a string or an array of content blocks, got undefined$/],
    [() => compressSync([{ role: 'robot', content: 'beep' }] as never), TypeError, /messages\[0\]\.role must be "user", "assistant" or "system" \(Anthropic Messages\), got "robot"/],
    [() => compressSync([{ role: 'tool', content: 'x' }, { role: 'robot', content: 'x' }] as never), TypeError, /messages\[1\]\.role must be "system", "developer", "user", "assistant", "tool" or "function" \(OpenAI chat\)/],
    [() => compressSync([{ role: 'tool', tool_call_id: 't', content: 42 }] as never), TypeError, /messages\[0\]\.content must be a string, an array of content parts or null, got number 42/],
  ])('%#: names the argument', (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('never describes a value as "undefined undefined"', () => {
    expect(() => compressSync([{ role: undefined, content: 'x' }] as never)).toThrow(/messages\[0\]\.role must be a string, got undefined$/);
  });

  it('compress rejects (not throws) for the same checks', async () => {
    await expect(compress('hi' as never)).rejects.toThrow(/compress: messages must be an array/);
  });
});

describe('human text in queries', () => {
  it('leaves out user text holding a headroom marker (its own output, e.g. a dropped-turns note)', () => {
    const input: AnthropicMessage[] = [
      { role: 'user', content: 'look for disk errors' },
      { role: 'user', content: '[… 3 earlier turns (6 messages) omitted to fit the context window …]' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'logs', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: LOG }] },
    ] as AnthropicMessage[];
    // Prose detection for every text, so only the marker rule can leave the note out.
    const engine = { ...fakeEngine(), detectKinds: (texts: readonly string[]) => texts.map(() => 'text' as const) };
    compressSyncWith({ engine, memo: new Memo() }, input);
    expect(engine.batches.flat().map((i) => i.options.query)).toEqual(['{}\nlook for disk errors']);
  });
});
