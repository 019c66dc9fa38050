// The prompt-caching bill of the sessions bench, one published rule per case, each with its cost
// worked out by hand: Sonnet 4.5 at $3/MTok (minimum cacheable 1024 tokens), Opus 4.6 at $5/MTok
// (minimum 4096); writes 1.25× (5 min) or 2× (1 h), reads 0.1×, uncached 1×.
import { describe, expect, it } from 'vitest';
import { dollars, MODELS, PromptCache, requestBlocks, type Bill, type CacheBlock, type Ttl } from '../../benches/billing.js';
import { countMessageTokens, countTokens } from '../../src/index.js';

const sonnet = MODELS.find((m) => m.id.startsWith('claude-sonnet-4-5'))!;
const opus = MODELS.find((m) => m.id.startsWith('claude-opus-4-6'))!;

/** A block of `tokens` tokens whose content is named `key`. */
const b = (key: string, tokens: number, ttl?: Ttl): CacheBlock => (ttl === undefined ? { key, tokens } : { key, tokens, ttl });
const bill = (uncached: number, written5m: number, read: number, written1h = 0): Bill => ({ uncached, written5m, written1h, read });

describe('published data', () => {
  it('prices and minimum cacheable lengths per model', () => {
    expect(sonnet).toMatchObject({ inputPerMTok: 3, minCacheableTokens: 1024 });
    expect(opus).toMatchObject({ inputPerMTok: 5, minCacheableTokens: 4096 });
  });
});

describe('PromptCache', () => {
  it('bills input without a breakpoint as uncached, at 1×', () => {
    const cache = new PromptCache(sonnet);
    const blocks = [b('system', 1500), b('user', 500)];
    expect(cache.bill(blocks, 0)).toEqual(bill(2000, 0, 0));
    expect(cache.bill(blocks, 30)).toEqual(bill(2000, 0, 0));
    expect(dollars(bill(2000, 0, 0), sonnet)).toBeCloseTo(0.006, 12); // 2000 × $3/M
  });

  it('writes the prefix up to a breakpoint at 1.25× and reads it on the next request at 0.1×', () => {
    const cache = new PromptCache(sonnet);
    const blocks = [b('system', 1500, '5m'), b('user', 500)];
    const first = cache.bill(blocks, 0);
    expect(first).toEqual(bill(500, 1500, 0));
    expect(dollars(first, sonnet)).toBeCloseTo(0.007125, 12); // (1500 × 1.25 + 500) × $3/M
    const second = cache.bill(blocks, 30);
    expect(second).toEqual(bill(500, 0, 1500));
    expect(dollars(second, sonnet)).toBeCloseTo(0.00195, 12); // (1500 × 0.1 + 500) × $3/M
  });

  it('reads the longest cached prefix and writes from there to the last breakpoint', () => {
    const cache = new PromptCache(sonnet);
    cache.bill([b('system', 1500, '5m'), b('task', 500, '5m')], 0);
    const grown = [b('system', 1500, '5m'), b('task', 500), b('answer', 300), b('output', 700, '5m')];
    const next = cache.bill(grown, 30);
    expect(next).toEqual(bill(0, 1000, 2000));
    expect(dollars(next, sonnet)).toBeCloseTo(0.00435, 12); // (1000 × 1.25 + 2000 × 0.1) × $3/M
  });

  it('matches only byte-identical prefixes: a changed block turns what follows into writes', () => {
    const cache = new PromptCache(sonnet);
    cache.bill([b('system', 1500, '5m'), b('task', 500), b('output', 700, '5m')], 0);
    const changed = cache.bill([b('system', 1500, '5m'), b('task', 500), b('output, cut', 100), b('next', 200, '5m')], 30);
    expect(changed).toEqual(bill(0, 800, 1500));
    expect(dollars(changed, sonnet)).toBeCloseTo(0.00345, 12); // (800 × 1.25 + 1500 × 0.1) × $3/M
  });

  it('finds an entry at most 20 blocks before a breakpoint', () => {
    const head = [b('h0', 300), b('h1', 300), b('h2', 300), b('h3', 300), b('h4', 300, '5m')];
    const tail = (n: number): CacheBlock[] => Array.from({ length: n }, (_, i) => b(`t${i}`, 10, i === n - 1 ? '5m' : undefined));
    const unmarked = head.map(({ key, tokens }) => b(key, tokens));
    for (const [added, expected] of [
      [20, bill(0, 200, 1500)], // breakpoint 20 blocks after the entry: read 1500, write 200
      [21, bill(0, 1710, 0)], // 21 blocks after: not found, the whole prefix is written again
    ] as const) {
      const cache = new PromptCache(sonnet);
      cache.bill(head, 0);
      expect(cache.bill([...unmarked, ...tail(added)], 30)).toEqual(expected);
    }
    expect(dollars(bill(0, 1710, 0), sonnet)).toBeCloseTo(0.0064125, 12); // 1710 × 1.25 × $3/M
  });

  it('keeps a 5-minute entry for 5 minutes after its last use', () => {
    const blocks = [b('system', 1500, '5m'), b('user', 500)];
    const idle = new PromptCache(sonnet);
    idle.bill(blocks, 0);
    expect(idle.bill(blocks, 301)).toEqual(bill(500, 1500, 0)); // expired: written again
    const busy = new PromptCache(sonnet);
    busy.bill(blocks, 0);
    expect(busy.bill(blocks, 300)).toEqual(bill(500, 0, 1500)); // within 5 minutes
    expect(busy.bill(blocks, 600)).toEqual(bill(500, 0, 1500)); // the read at 300 refreshed it
    expect(busy.bill(blocks, 901)).toEqual(bill(500, 1500, 0));
  });

  it('writes a 1-hour entry at 2× and keeps it for an hour', () => {
    const cache = new PromptCache(sonnet);
    const blocks = [b('system', 1500, '1h'), b('user', 500)];
    const first = cache.bill(blocks, 0);
    expect(first).toEqual(bill(500, 0, 0, 1500));
    expect(dollars(first, sonnet)).toBeCloseTo(0.0105, 12); // (1500 × 2 + 500) × $3/M
    expect(cache.bill(blocks, 3000)).toEqual(bill(500, 0, 1500));
    expect(cache.bill(blocks, 6601)).toEqual(bill(500, 0, 0, 1500));
  });

  it('bills mixed TTLs as 1-hour writes up to the last 1-hour breakpoint and 5-minute writes after it', () => {
    const cache = new PromptCache(sonnet);
    const mixed = cache.bill([b('tools', 1200, '1h'), b('system', 300), b('task', 600, '5m'), b('rest', 100)], 0);
    expect(mixed).toEqual(bill(100, 900, 0, 1200));
    expect(dollars(mixed, sonnet)).toBeCloseTo(0.010875, 12); // (1200 × 2 + 900 × 1.25 + 100) × $3/M
  });

  it('does not cache a prefix shorter than the model’s minimum', () => {
    const short = [b('system', 1000, '5m'), b('user', 500, '5m')];
    const cache = new PromptCache(sonnet);
    // The system prefix (1000) is below 1024 and never cached; the whole request (1500) is.
    expect(cache.bill(short, 0)).toEqual(bill(0, 1500, 0));
    expect(cache.bill([b('system', 1000, '5m'), b('other', 200, '5m')], 30)).toEqual(bill(0, 1200, 0));
    const big = [b('system', 3000, '5m'), b('user', 500, '5m')];
    const onOpus = new PromptCache(opus);
    expect(onOpus.bill(big, 0)).toEqual(bill(3500, 0, 0)); // below Opus 4.6's 4096: nothing cached
    expect(dollars(bill(3500, 0, 0), opus)).toBeCloseTo(0.0175, 12); // 3500 × $5/M
    expect(onOpus.bill(big, 30)).toEqual(bill(3500, 0, 0));
    const onSonnet = new PromptCache(sonnet);
    expect(onSonnet.bill(big, 0)).toEqual(bill(0, 3500, 0));
  });

  it('rejects what the API rejects: more than 4 breakpoints, a 1-hour breakpoint after a 5-minute one', () => {
    const cache = new PromptCache(sonnet);
    expect(() => cache.bill([1, 2, 3, 4, 5].map((i) => b(`m${i}`, 300, '5m')), 0)).toThrow(RangeError);
    expect(() => cache.bill([b('a', 2000, '5m'), b('b', 2000, '1h')], 0)).toThrow(/1-hour/);
    expect(cache.bill([1, 2, 3, 4].map((i) => b(`m${i}`, 300, '5m')), 0)).toEqual(bill(0, 1200, 0));
  });
});

describe('requestBlocks', () => {
  const tool = { name: 'bash', description: 'run a command', input_schema: { type: 'object', properties: {} } };
  const messages = [
    { role: 'user' as const, content: 'Fix the failing test.' },
    {
      role: 'assistant' as const,
      content: [
        { type: 'text', text: 'Running the tests.' },
        { type: 'tool_use', id: 't1', name: 'bash', input: { command: 'pytest' } },
      ],
    },
    { role: 'user' as const, content: [{ type: 'tool_result', tool_use_id: 't1', content: '1 failed, 12 passed' }] },
  ];

  it('counts tools, system and messages in cache order by the library’s convention', () => {
    const blocks = requestBlocks({ tools: [tool], system: 'You are a coder.', messages });
    expect(blocks).toHaveLength(1 + 1 + 4);
    expect(blocks[0]!.tokens).toBe(countTokens(JSON.stringify(tool)) + countMessageTokens([]));
    expect(blocks[1]!.tokens).toBe(countTokens('You are a coder.'));
    const messageTokens = blocks.slice(2).reduce((n, x) => n + x.tokens, 0);
    expect(messageTokens + countMessageTokens([])).toBe(countMessageTokens(messages));
  });

  it('ignores markers for identity and size; a string is the one text block the API renders', () => {
    const plain = requestBlocks({ system: 'You are a coder.', messages });
    const marked = requestBlocks({
      system: [{ type: 'text', text: 'You are a coder.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Fix the failing test.', cache_control: { type: 'ephemeral' } }] }, ...messages.slice(1)],
    });
    expect(marked.map((x) => [x.key, x.tokens])).toEqual(plain.map((x) => [x.key, x.tokens]));
    expect(marked.map((x) => x.ttl)).toEqual(['1h', '5m', undefined, undefined, undefined]);
    const moved = requestBlocks({ messages: [{ role: 'assistant', content: 'Fix the failing test.' }] });
    expect(moved[0]!.key).not.toBe(plain[1]!.key); // the same text from another role is another prefix
  });
});
