// cacheBreakpoints: 'auto' adds markers without changing content, keeps every caller marker,
// never exceeds four, and never puts a 5-minute marker before a 1-hour one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCacheBreakpoints, cacheMarkers, type CacheableParams } from '../../src/cache/breakpoints.js';

const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'cache_control' ? undefined : x)));
/** Content with string system/message content normalised to text blocks, markers removed. */
const content = (p: CacheableParams): unknown =>
  strip({
    ...p,
    system: typeof p.system === 'string' ? (p.system === '' ? [] : [{ type: 'text', text: p.system }]) : p.system,
    messages: p.messages.map((m) => {
      const c = (m as { content: unknown }).content;
      return { ...(m as object), content: typeof c === 'string' && c !== '' ? [{ type: 'text', text: c }] : c };
    }),
  });
const ttlOrderOk = (ttls: string[]): boolean => ttls.indexOf('5m') === -1 || !ttls.slice(ttls.indexOf('5m')).includes('1h');

describe('addCacheBreakpoints', () => {
  it('marks the end of tools, system and the last message', () => {
    const params = {
      tools: [{ name: 'a', input_schema: {} }, { name: 'b', input_schema: {} }],
      system: 'You are helpful.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
        { role: 'user', content: 'list files' },
      ],
    };
    const out = addCacheBreakpoints(params);
    expect(out.tools[1]).toEqual({ name: 'b', input_schema: {}, cache_control: { type: 'ephemeral' } });
    expect(out.system).toEqual([{ type: 'text', text: 'You are helpful.', cache_control: { type: 'ephemeral' } }]);
    expect(out.messages[2]).toEqual({ role: 'user', content: [{ type: 'text', text: 'list files', cache_control: { type: 'ephemeral' } }] });
    expect(out.messages[0]).toBe(params.messages[0]);
    expect(params.system).toBe('You are helpful.');
  });

  it('counts the request’s top-level cache_control (automatic caching) toward the four, as the API does', () => {
    const marked = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `t${i}`, input_schema: {}, cache_control: { type: 'ephemeral' as const } }));
    const params = { cache_control: { type: 'ephemeral' as const }, tools: marked(3), system: 'You are helpful.', messages: [{ role: 'user', content: 'hi' }] };
    expect(cacheMarkers(params)).toEqual(['5m', '5m', '5m', '5m']);
    expect(addCacheBreakpoints(params)).toBe(params);
    // With room left, automatic caching already marks the conversation's end: only system gets one.
    const roomy = { ...params, tools: marked(1) };
    const out = addCacheBreakpoints(roomy);
    expect(out.messages).toBe(roomy.messages);
    expect(out.system).toEqual([{ type: 'text', text: 'You are helpful.', cache_control: { type: 'ephemeral' } }]);
    expect(cacheMarkers(out)).toHaveLength(3);
    // A 1-hour automatic marker sits at the end: no 5-minute marker may come before it.
    const hour = { ...roomy, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } };
    expect(addCacheBreakpoints(hour)).toBe(hour);
  });

  it('skips thinking blocks and respects the caller’s 1-hour markers and the limit of four', () => {
    const msgs = [{ role: 'assistant', content: [{ type: 'text', text: 'x' }, { type: 'thinking', thinking: 't', signature: 's' }] }];
    expect(addCacheBreakpoints({ messages: msgs }).messages[0]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }, { type: 'thinking', thinking: 't', signature: 's' }],
    });
    const oneHourInMessages = {
      system: 'S',
      tools: [{ name: 't' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    };
    expect(addCacheBreakpoints(oneHourInMessages)).toBe(oneHourInMessages);
    const full = {
      messages: [1, 2, 3, 4].map((i) => ({ role: 'user', content: [{ type: 'text', text: `m${i}`, cache_control: { type: 'ephemeral' } }] })),
      system: 'S',
    };
    expect(addCacheBreakpoints(full)).toBe(full);
  });

  it('holds its invariants on random requests (fixed seed)', () => {
    const marker = fc.option(fc.constantFrom({ type: 'ephemeral' }, { type: 'ephemeral', ttl: '1h' }, { type: 'ephemeral', ttl: '5m' }), { nil: undefined });
    const block = fc.tuple(fc.constantFrom('text', 'thinking', 'tool_result', 'image'), fc.string({ maxLength: 3 }), marker).map(([type, text, cc]) => ({
      type,
      ...(type === 'thinking' ? { thinking: text, signature: 'sig' } : { text }),
      ...(cc && type !== 'thinking' ? { cache_control: cc } : {}),
    }));
    const params = fc.record({
      tools: fc.option(fc.array(fc.tuple(fc.string({ maxLength: 2 }), marker).map(([name, cc]) => ({ name, ...(cc ? { cache_control: cc } : {}) })), { maxLength: 3 }), { nil: undefined }),
      system: fc.option(fc.oneof(fc.string({ maxLength: 4 }), fc.array(block.filter((b) => b.type === 'text'), { maxLength: 2 })), { nil: undefined }),
      messages: fc.array(fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.oneof(fc.string({ maxLength: 4 }), fc.array(block, { maxLength: 3 })) }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(params, (raw) => {
        const p = JSON.parse(JSON.stringify(raw)) as CacheableParams;
        const before = cacheMarkers(p);
        const out = addCacheBreakpoints(p);
        const after = cacheMarkers(out);
        expect(content(out)).toEqual(content(p));
        expect(after.length).toBeLessThanOrEqual(Math.max(4, before.length));
        expect(after.length).toBeGreaterThanOrEqual(before.length);
        if (ttlOrderOk(before)) expect(ttlOrderOk(after)).toBe(true);
        // every caller marker is still in place
        const callerPaths = JSON.stringify(p).match(/"cache_control":\{[^}]*\}/g) ?? [];
        const outText = JSON.stringify(out);
        for (const m of callerPaths) expect(outText).toContain(m);
      }),
      { seed: 3, numRuns: 400 },
    );
  });
});
