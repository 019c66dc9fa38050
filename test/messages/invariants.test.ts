// The invariants of PRODUCT §3, each a property over generated conversations with every block type
// (fast-check, fixed seeds, bounded runs), on deep-frozen input. The folding test engine makes
// blocks really shrink; the same properties then run through both real engines, which must agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith, countMessageTokens, type CompressEnv, type CompressOptions, type CompressResult } from '../../src/compress.js';
import { anthropicToOpenAI, openAIToAnthropic } from '../../src/messages/convert.js';
import { Memo } from '../../src/messages/memo.js';
import type { AnthropicMessage, ChatMessage } from '../../src/messages/types.js';
import { MemoryStore } from '../../src/retrieval/store.js';
import { conversation, deepFreeze } from '../support/conversations.js';
import { engines } from '../support/engines.js';
import { fakeEngine } from '../support/fake-engine.js';
import { anthropicProtocolErrors, openAIProtocolErrors } from '../support/protocol.js';

const RUNS = { seed: 424242, numRuns: 120 };
const settings = fc.constantFrom<CompressOptions>({ minTokens: 20 }, { minTokens: 20, maxBlockTokens: 40 }, {}, { minTokens: 0, maxBlockTokens: Infinity });
const fresh = (): CompressEnv => ({ engine: fakeEngine(), memo: new Memo() });
const input = fc.tuple(conversation, settings).map(([m, o]) => [deepFreeze(structuredClone(m)) as AnthropicMessage[], o] as const);

/** Everything in a result that must be deterministic (not the time, nor memo traffic). */
function stable(r: CompressResult): unknown {
  const { durationMs, memo, ...rest } = r;
  void durationMs;
  void memo;
  return JSON.parse(JSON.stringify(rest));
}

describe('compress invariants (folding engine)', () => {
  it('is deterministic: same bytes from fresh memos, a warm memo, sync and async', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ([messages, options]) => {
        const warm = fresh();
        const a = compressSyncWith(warm, messages, options);
        const b = compressSyncWith(fresh(), messages, options);
        const c = await compressWith(fresh(), messages, options);
        const d = compressSyncWith(warm, messages, options);
        expect(stable(b)).toEqual(stable(a));
        expect(stable(c)).toEqual(stable(a));
        expect(stable(d)).toEqual(stable(a));
        expect(d.memo.misses).toBe(0);
      }),
      RUNS,
    );
  });

  it('never inflates, counts consistently and replaces only blocks that strictly shrink', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        const r = compressSyncWith(fresh(), messages, options);
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
        expect(r.tokensBefore).toBe(countMessageTokens(messages));
        expect(r.tokensAfter).toBe(countMessageTokens(r.messages));
        let saved = 0;
        for (const b of r.blocks) {
          expect(b.tokensAfter).toBeLessThan(b.tokensBefore);
          saved += b.tokensBefore - b.tokensAfter;
        }
        expect(r.tokensSaved).toBe(saved);
      }),
      RUNS,
    );
  });

  it('passes every untouched message and block through by reference', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        const r = compressSyncWith(fresh(), messages, options);
        expect(r.messages).toHaveLength(messages.length);
        const touched = new Map<number, Set<number>>();
        for (const b of r.blocks) (touched.get(b.messageIndex) ?? touched.set(b.messageIndex, new Set()).get(b.messageIndex)!).add(b.blockIndex);
        r.messages.forEach((m, i) => {
          const blocks = touched.get(i);
          if (blocks === undefined) return expect(m).toBe(messages[i]);
          expect(m).not.toBe(messages[i]);
          if (blocks.has(-1)) return;
          const before = messages[i]!.content as readonly unknown[];
          (m.content as readonly unknown[]).forEach((block, j) => {
            if (blocks.has(j)) expect(block).not.toBe(before[j]);
            else expect(block).toBe(before[j]);
          });
        });
      }),
      RUNS,
    );
  });

  it('is idempotent: compressing compressed output changes nothing', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        const once = compressSyncWith(fresh(), messages, options);
        const twice = compressSyncWith(fresh(), deepFreeze(once.messages), options);
        expect(JSON.stringify(twice.messages)).toBe(JSON.stringify(once.messages));
        expect(twice.blocks).toEqual([]);
        twice.messages.forEach((m, i) => expect(m).toBe(once.messages[i]));
      }),
      RUNS,
    );
  });

  it('keeps the protocol valid whenever the input was', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        const r = compressSyncWith(fresh(), messages, options);
        const inputErrors = anthropicProtocolErrors(messages);
        if (inputErrors.length === 0) expect(anthropicProtocolErrors(r.messages)).toEqual([]);
        const openai = anthropicToOpenAI(messages);
        const o = compressSyncWith(fresh(), openai, options);
        if (openAIProtocolErrors(openai).length === 0) expect(openAIProtocolErrors(o.messages)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('is prefix-stable: a conversation compressed turn by turn only ever appends', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        const e = fresh();
        const full = compressSyncWith(e, messages, options).messages.map((m) => JSON.stringify(m));
        for (let n = 1; n < messages.length; n++) {
          if (messages[n - 1]!.role !== 'user') continue;
          // A fresh memo for the prefix: stability must not come from the memo.
          const prefix = compressSyncWith(fresh(), messages.slice(0, n), options).messages.map((m) => JSON.stringify(m));
          expect(prefix).toEqual(full.slice(0, n));
        }
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('compresses a conversation and its OpenAI form alike', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        const a = compressSyncWith(fresh(), messages, options);
        const o = compressSyncWith(fresh(), anthropicToOpenAI(messages), options);
        expect(openAIToAnthropic(o.messages)).toEqual(a.messages);
        expect(o.blocks.map((b) => [b.kind, b.tokensBefore, b.tokensAfter, b.strategy])).toEqual(
          a.blocks.map((b) => [b.kind, b.tokensBefore, b.tokensAfter, b.strategy]),
        );
      }),
      RUNS,
    );
  });
});

/** The text of a reported block's site in `messages`. */
function siteText(messages: readonly AnthropicMessage[], b: { messageIndex: number; blockIndex: number; partIndex?: number }): string {
  const content = messages[b.messageIndex]!.content;
  if (typeof content === 'string') return content;
  const block = content[b.blockIndex] as { type: string; text?: string; content?: string | { text: string }[] };
  if (block.type === 'text') return block.text!;
  return typeof block.content === 'string' ? block.content : block.content![b.partIndex!]!.text;
}

const NOTES = / · headroom_retrieve key=hr_[a-z2-7]{16}/g;

describe('compress invariants with a store (folding engine)', () => {
  it('never inflates, counts consistently, is idempotent and prefix-stable; every key gives back its block', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ([messages, options]) => {
        const store = new MemoryStore();
        const r = await compressWith(fresh(), messages, { ...options, store });
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
        expect(r.tokensAfter).toBe(countMessageTokens(r.messages));
        for (const b of r.blocks) expect(b.tokensAfter).toBeLessThan(b.tokensBefore);
        // The same compression as without a store, but for the notes on retrievable markers.
        const plain = compressSyncWith(fresh(), messages, options);
        expect(JSON.stringify(r.messages).replace(NOTES, '')).toBe(JSON.stringify(plain.messages));
        expect(r.retrieval!.keys).toEqual([...new Set(r.blocks.flatMap((b) => (b.retrievalKey === undefined ? [] : [b.retrievalKey])))]);
        for (const b of r.blocks) {
          if (b.retrievalKey === undefined) continue;
          const answer = await r.retrieval!.retrieve({ key: b.retrievalKey, limit: 1000 });
          expect(answer.text).toBe(siteText(messages, b));
        }
        const twice = await compressWith(fresh(), deepFreeze(r.messages), { ...options, store });
        expect(JSON.stringify(twice.messages)).toBe(JSON.stringify(r.messages));
        expect(twice.blocks).toEqual([]);
        const full = r.messages.map((m) => JSON.stringify(m));
        for (let n = 1; n < messages.length; n++) {
          if (messages[n - 1]!.role !== 'user') continue;
          const prefix = await compressWith(fresh(), messages.slice(0, n), { ...options, store: new MemoryStore() });
          expect(prefix.messages.map((m) => JSON.stringify(m))).toEqual(full.slice(0, n));
        }
      }),
      { ...RUNS, numRuns: 60 },
    );
  });
});

describe('compress parity (both real engines)', () => {
  it('gives identical results in both engines, sync and async', async () => {
    const all = engines();
    await fc.assert(
      fc.asyncProperty(input, async ([messages, options]) => {
        const results: unknown[] = [];
        for (const engine of all) {
          results.push(stable({ ...compressSyncWith({ engine, memo: new Memo() }, messages, options), engine: 'js' }));
          results.push(stable({ ...(await compressWith({ engine, memo: new Memo() }, messages as ChatMessage[], options)), engine: 'js' }));
        }
        for (const r of results) expect(r).toEqual(results[0]);
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('keeps the invariants with the real compressors: never inflates, idempotent, valid protocol', () => {
    fc.assert(
      fc.property(input, ([messages, options]) => {
        for (const engine of engines()) {
          const once = compressSyncWith({ engine, memo: new Memo() }, messages, options);
          expect(once.tokensAfter).toBeLessThanOrEqual(once.tokensBefore);
          for (const b of once.blocks) expect(b.tokensAfter).toBeLessThan(b.tokensBefore);
          if (anthropicProtocolErrors(messages).length === 0) expect(anthropicProtocolErrors(once.messages)).toEqual([]);
          const twice = compressSyncWith({ engine, memo: new Memo() }, once.messages, options);
          expect(JSON.stringify(twice.messages)).toBe(JSON.stringify(once.messages));
        }
      }),
      { ...RUNS, numRuns: 60 },
    );
  });
});
