// fast-check generators for Anthropic conversations with every block type the Messages API
// accepts (and unknown ones), in a valid protocol shape: every tool_use answered by a tool_result
// at the start of the next user message. Tool outputs mix small text and repetitive machine output
// (runs of identical lines) that the folding test engine shrinks.
import fc from 'fast-check';

type Block = Record<string, unknown>;
type Message = { role: 'user' | 'assistant'; content: string | Block[] };

// A small shared vocabulary, so that queries (tool inputs, human turns) often name words of the
// tool output and query-dependent selection really happens.
const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('alpha', 'beta', 'gamma', 'error', 'timeout', 'disk', 'cache', 'retry') },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,8}$/) },
);
const shortText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(' ')),
);
const jsonValue = fc.json({ maxDepth: 2 }).map((s) => JSON.parse(s) as unknown);
const jsonObject = fc.dictionary(word, jsonValue, { maxKeys: 3 });
const base64 = fc.base64String({ minLength: 4, maxLength: 24 });

/** Optional fields merged into a block: cache_control (with or without ttl) and unknown fields. */
const extras = fc.record(
  {
    cache_control: fc.constantFrom({ type: 'ephemeral' }, { type: 'ephemeral', ttl: '5m' }, { type: 'ephemeral', ttl: '1h' }),
    x_unknown: jsonValue,
  },
  { requiredKeys: [] },
);
const withExtras = (arb: fc.Arbitrary<Block>): fc.Arbitrary<Block> =>
  fc.tuple(arb, extras).map(([b, e]) => ({ ...b, ...e }));

/** Repetitive tool output: runs of identical log-like lines, long enough to pass minTokens. */
export const machineOutput = fc
  .array(fc.tuple(fc.array(word, { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 12 })), { minLength: 3, maxLength: 12 })
  .map((runs) =>
    runs
      .flatMap(([w, n], i) => Array.from({ length: n }, () => `2024-05-01 INFO [worker-${i % 3}] ${w.join(' ')}`))
      .join('\n'),
  );

const citation = fc.record({ type: fc.constant('char_location'), cited_text: shortText, document_index: fc.nat(3), start_char_index: fc.nat(50), end_char_index: fc.nat(90) });

const textBlock = withExtras(
  fc.record({ type: fc.constant('text'), text: shortText, citations: fc.array(citation, { maxLength: 1 }) }, { requiredKeys: ['type', 'text'] }),
);
const machineTextBlock = fc.record({ type: fc.constant('text'), text: machineOutput });

const imageBlock = withExtras(
  fc.record({
    type: fc.constant('image'),
    source: fc.oneof(
      fc.record({ type: fc.constant('base64'), media_type: fc.constantFrom('image/png', 'image/jpeg', 'image/webp'), data: base64 }),
      fc.record({ type: fc.constant('url'), url: fc.webUrl() }),
      fc.record({ type: fc.constant('file'), file_id: word.map((w) => `file_${w}`) }),
    ),
  }),
);

const documentBlock = withExtras(
  fc.record(
    {
      type: fc.constant('document'),
      source: fc.oneof(
        fc.record({ type: fc.constant('base64'), media_type: fc.constant('application/pdf'), data: base64 }),
        fc.record({ type: fc.constant('text'), media_type: fc.constant('text/plain'), data: shortText }),
        fc.record({ type: fc.constant('url'), url: fc.webUrl() }),
        fc.record({ type: fc.constant('content'), content: fc.array(fc.record({ type: fc.constant('text'), text: shortText }), { minLength: 1, maxLength: 2 }) }),
        fc.record({ type: fc.constant('file'), file_id: word }),
      ),
      title: shortText,
      context: shortText,
      citations: fc.record({ enabled: fc.boolean() }),
    },
    { requiredKeys: ['type', 'source'] },
  ),
);

const searchResultBlock = withExtras(
  fc.record(
    {
      type: fc.constant('search_result'),
      source: fc.webUrl(),
      title: shortText,
      content: fc.array(fc.record({ type: fc.constant('text'), text: shortText }), { minLength: 1, maxLength: 2 }),
      citations: fc.record({ enabled: fc.boolean() }),
    },
    { requiredKeys: ['type', 'source', 'title', 'content'] },
  ),
);

/** Unknown block types, including ones named like OpenAI parts. */
const unknownBlock = fc
  .tuple(fc.oneof(word.map((w) => `x_${w}`), fc.constantFrom('image_url', 'file', '_anthropic')), jsonObject)
  .map(([type, fields]) => ({ ...fields, type }));

const thinkingBlock = fc.record({ type: fc.constant('thinking'), thinking: shortText, signature: base64 });
const redactedThinkingBlock = fc.record({ type: fc.constant('redacted_thinking'), data: base64 });

const serverToolBlocks = fc.constantFrom<Block[]>(
  [
    { type: 'server_tool_use', id: 'srvtoolu_01', name: 'web_search', input: { query: 'rust napi' } },
    {
      type: 'web_search_tool_result',
      tool_use_id: 'srvtoolu_01',
      content: [{ type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: 'EqQBCg==', page_age: 'May 1, 2025' }],
    },
  ],
  [
    { type: 'server_tool_use', id: 'srvtoolu_02', name: 'web_fetch', input: { url: 'https://example.com/a' } },
    {
      type: 'web_fetch_tool_result',
      tool_use_id: 'srvtoolu_02',
      content: { type: 'web_fetch_result', url: 'https://example.com/a', content: { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } } },
    },
  ],
  [
    { type: 'server_tool_use', id: 'srvtoolu_03', name: 'code_execution', input: { code: 'print(1)' } },
    { type: 'code_execution_tool_result', tool_use_id: 'srvtoolu_03', content: { type: 'code_execution_result', stdout: '1\n', stderr: '', return_code: 0, content: [] } },
    { type: 'bash_code_execution_tool_result', tool_use_id: 'srvtoolu_03', content: { type: 'bash_code_execution_result', stdout: '', stderr: '', return_code: 0, content: [] } },
    { type: 'text_editor_code_execution_tool_result', tool_use_id: 'srvtoolu_03', content: { type: 'text_editor_code_execution_view_result', file_type: 'text', content: 'x', num_lines: 1, start_line: 1, total_lines: 1 } },
  ],
  [
    { type: 'mcp_tool_use', id: 'mcptoolu_01', name: 'echo', server_name: 'local', input: { a: 1 } },
    { type: 'mcp_tool_result', tool_use_id: 'mcptoolu_01', is_error: false, content: [{ type: 'text', text: 'echoed' }] },
  ],
  [
    { type: 'server_tool_use', id: 'srvtoolu_04', name: 'tool_search_tool_regex', input: { query: 'weather' } },
    { type: 'tool_search_tool_result', tool_use_id: 'srvtoolu_04', content: { type: 'tool_search_tool_search_result', tool_references: [{ type: 'tool_reference', tool_name: 'get_weather' }] } },
  ],
  [{ type: 'container_upload', file_id: 'file_011' }],
);

/** Tool names, including protected ones and a glob-protected MCP-style name. */
export const TOOL_NAMES = ['bash', 'http_get', 'grep', 'Read', 'Edit', 'mcp__fs__read_file'] as const;

const toolOutput = fc.oneof(
  { weight: 3, arbitrary: machineOutput },
  { weight: 2, arbitrary: shortText },
);

const toolResultContent = fc.oneof(
  toolOutput,
  fc.constant(undefined),
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ type: fc.constant('text'), text: toolOutput }) },
      { weight: 1, arbitrary: textBlock },
      { weight: 1, arbitrary: imageBlock },
      { weight: 1, arbitrary: documentBlock },
      { weight: 1, arbitrary: searchResultBlock },
    ),
    { maxLength: 3 },
  ),
);

const toolResultShape = fc.record(
  { content: toolResultContent, is_error: fc.boolean(), cache_control: fc.constant({ type: 'ephemeral' }), x_unknown: jsonValue },
  { requiredKeys: ['content'] },
);

const userExtraBlock = fc.oneof(
  { weight: 3, arbitrary: textBlock },
  { weight: 1, arbitrary: machineTextBlock },
  { weight: 1, arbitrary: imageBlock },
  { weight: 1, arbitrary: documentBlock },
  { weight: 1, arbitrary: searchResultBlock },
  { weight: 1, arbitrary: unknownBlock },
);

const firstUser: fc.Arbitrary<Message> = fc.oneof(
  shortText.map((t) => ({ role: 'user' as const, content: t })),
  machineOutput.map((t) => ({ role: 'user' as const, content: t })),
  fc.array(userExtraBlock, { minLength: 1, maxLength: 3 }).map((c) => ({ role: 'user' as const, content: c })),
);

interface TurnShape {
  thinking: Block[];
  before: Block[];
  tools: { name: string; input: unknown; result: { content?: unknown; [k: string]: unknown } }[];
  toolUseExtras: Record<string, unknown>;
  after: Block[];
  stringReply: string | undefined;
  userAfter: Block[];
  userText: string | undefined;
}

const turn: fc.Arbitrary<TurnShape> = fc.record({
  thinking: fc.oneof(fc.constant<Block[]>([]), thinkingBlock.map((b): Block[] => [b]), fc.tuple(thinkingBlock, redactedThinkingBlock).map((t): Block[] => [...t])),
  before: fc.array(fc.oneof(textBlock, serverToolBlocks.map((b) => b[0]!), unknownBlock), { maxLength: 2 }),
  tools: fc.array(fc.record({ name: fc.constantFrom(...TOOL_NAMES), input: jsonObject, result: toolResultShape }), { maxLength: 3 }),
  toolUseExtras: fc.record({ cache_control: fc.constant({ type: 'ephemeral' }) }, { requiredKeys: [] }),
  after: fc.oneof({ weight: 4, arbitrary: fc.constant<Block[]>([]) }, { weight: 1, arbitrary: fc.array(textBlock, { maxLength: 1 }) }),
  stringReply: fc.option(shortText, { nil: undefined }),
  userAfter: fc.array(userExtraBlock, { maxLength: 2 }),
  userText: fc.option(fc.oneof(shortText, machineOutput, fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '))), { nil: undefined }),
});

/** Builds the messages of a conversation from its turns, with unique tool ids. */
function build(first: Message, turns: TurnShape[], serverBlocks: Block[]): Message[] {
  const messages: Message[] = [first];
  turns.forEach((t, i) => {
    if (t.tools.length === 0 && t.stringReply !== undefined) {
      messages.push({ role: 'assistant', content: t.stringReply });
    } else {
      const uses = t.tools.map((tool, k) => ({ type: 'tool_use', id: `toolu_${i}_${k}`, name: tool.name, input: tool.input, ...(k === 0 ? t.toolUseExtras : {}) }));
      const server = i === 0 ? serverBlocks : [];
      const content = [...t.thinking, ...t.before, ...server, ...uses, ...t.after];
      messages.push({ role: 'assistant', content: content.length === 0 ? [{ type: 'text', text: 'ok' }] : content });
    }
    if (t.tools.length > 0) {
      const results = t.tools.map((tool, k) => {
        const { content, ...rest } = tool.result;
        return { type: 'tool_result', tool_use_id: `toolu_${i}_${k}`, ...(content === undefined ? {} : { content }), ...rest };
      });
      messages.push({ role: 'user', content: [...results, ...t.userAfter] });
    } else {
      messages.push({ role: 'user', content: t.userText ?? (t.userAfter.length > 0 ? t.userAfter : 'continue') });
    }
  });
  return messages;
}

/** Anthropic conversations in valid protocol shape, every block type represented across runs. */
export const conversation: fc.Arbitrary<Message[]> = fc
  .tuple(firstUser, fc.array(turn, { minLength: 0, maxLength: 5 }), serverToolBlocks)
  .map(([first, turns, server]) => build(first, turns, server));

/** OpenAI chat conversations as the openai package types them: every role, part and tool-call kind. */
export const openAIConversation: fc.Arbitrary<Block[]> = (() => {
  const id = word.map((w) => `call_${w}`);
  const textPart = fc.record({ type: fc.constant('text'), text: shortText });
  const userPart = fc.oneof(
    textPart,
    fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.webUrl(), detail: fc.constantFrom('low', 'high', 'auto') }, { requiredKeys: ['url'] }) }),
    fc.record({ type: fc.constant('input_audio'), input_audio: fc.record({ data: base64, format: fc.constantFrom('wav', 'mp3') }) }),
    fc.record({ type: fc.constant('file'), file: fc.record({ file_id: word }) }),
  );
  const toolCall = fc.oneof(
    fc.record({ id, type: fc.constant('function'), function: fc.record({ name: word, arguments: jsonObject.map((o) => JSON.stringify(o)) }) }),
    fc.record({ id, type: fc.constant('function'), function: fc.record({ name: word, arguments: fc.constant('{"unterminated":') }) }),
    fc.record({ id, type: fc.constant('custom'), custom: fc.record({ name: word, input: shortText }) }),
  );
  const message = fc.oneof(
    fc.record({ role: fc.constantFrom('system', 'developer'), content: fc.oneof(shortText, fc.array(textPart, { minLength: 1, maxLength: 2 })), name: word }, { requiredKeys: ['role', 'content'] }),
    fc.record({ role: fc.constant('user'), content: fc.oneof(shortText, fc.array(userPart, { minLength: 1, maxLength: 3 })), name: word }, { requiredKeys: ['role', 'content'] }),
    // As the API answers: string or null content beside tool calls, parts without them.
    fc.record(
      {
        role: fc.constant('assistant'),
        content: fc.oneof(fc.constant(null), shortText),
        tool_calls: fc.array(toolCall, { minLength: 1, maxLength: 3 }),
        refusal: fc.constant(null),
        audio: fc.record({ id: word }),
      },
      { requiredKeys: ['role', 'content'] },
    ),
    fc.record({
      role: fc.constant('assistant'),
      content: fc.array(fc.oneof(textPart, fc.record({ type: fc.constant('refusal'), refusal: shortText })), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({ role: fc.constant('tool'), tool_call_id: id, content: fc.oneof(machineOutput, fc.array(textPart, { minLength: 1, maxLength: 2 })) }),
    fc.record({ role: fc.constant('function'), name: word, content: fc.oneof(shortText, fc.constant(null)) }),
  );
  return fc.array(message, { minLength: 1, maxLength: 8 }) as fc.Arbitrary<Block[]>;
})();

/** Deep-freezes a value (iteratively: generated values are shallow enough, but stay safe). */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const child of Object.values(v)) stack.push(child);
  }
  return value;
}
