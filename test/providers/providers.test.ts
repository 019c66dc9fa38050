// Providers (PRODUCT §5): Claude windows by explicit limits, the 1M-context beta, the Models API and
// the family table; OpenAI encodings and windows; the budget estimate factor.
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith } from '../../src/compress.js';
import { Memo } from '../../src/messages/memo.js';
import type { AnthropicMessage } from '../../src/messages/types.js';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import { fakeEngine } from '../support/fake-engine.js';

describe('AnthropicProvider', () => {
  const p = new AnthropicProvider();

  it.each([
    ['claude-sonnet-4-5-20250929', 200_000],
    ['claude-sonnet-4-20250514', 200_000],
    ['claude-opus-4-6', 1_000_000],
    ['claude-opus-4-6-20260101', 1_000_000],
    ['claude-opus-4-7', 1_000_000],
    ['claude-opus-4-20250514', 200_000],
    ['claude-opus-4-1-20250805', 200_000],
    ['claude-haiku-4-5', 200_000],
    ['claude-3-haiku-20240307', 200_000],
    ['claude-3-5-sonnet-v2@20241022', 200_000],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 200_000],
    ['us.anthropic.claude-opus-4-6-v1:0', 1_000_000],
    ['claude-opus-4-60', 200_000],
    ['claude-sonnet-4-6', 200_000],
    ['claude-opus-5', 200_000],
    ['some-other-model', 200_000],
  ])('%s → %i from the table', (model, limit) => {
    expect(p.contextLimit(model)).toBe(limit);
  });

  it('gives 1M with the context-1m beta, by betas or by header, only on models that accept it', () => {
    expect(p.contextLimit('claude-sonnet-4-5-20250929', { betas: ['context-1m-2025-08-07'] })).toBe(1_000_000);
    expect(p.contextLimit('claude-sonnet-4-20250514', { headers: { 'Anthropic-Beta': 'foo, context-1m-2025-08-07' } })).toBe(1_000_000);
    expect(p.contextLimit('claude-sonnet-4-5', { betas: ['files-api-2025-04-14'] })).toBe(200_000);
    expect(p.contextLimit('claude-3-5-haiku-20241022', { betas: ['context-1m-2025-08-07'] })).toBe(200_000);
  });

  it('explicit contextLimits win, by exact id or family prefix', () => {
    const q = new AnthropicProvider({ contextLimits: { 'claude-sonnet-4-5': 150_000, 'claude-opus-4-6-special': 42 } });
    expect(q.contextLimit('claude-sonnet-4-5-20250929', { betas: ['context-1m-2025-08-07'] })).toBe(150_000);
    expect(q.contextLimit('claude-opus-4-6-special')).toBe(42);
    expect(q.contextLimit('claude-opus-4-6')).toBe(1_000_000);
  });

  it('asks the Models API once per model the table does not know, falling back to the table when it fails or is silent', async () => {
    const asked: string[] = [];
    const client = {
      models: {
        retrieve: async (id: string) => {
          asked.push(id);
          if (id === 'claude-broken') throw new Error('404');
          return id === 'claude-sonnet-4-6' ? { id, max_input_tokens: 1_000_000 } : { id };
        },
      },
    };
    const q = new AnthropicProvider({ client });
    expect(await q.resolveContextLimit('claude-sonnet-4-6')).toBe(1_000_000);
    expect(await q.resolveContextLimit('claude-sonnet-4-6')).toBe(1_000_000);
    expect(q.contextLimit('claude-sonnet-4-6')).toBe(1_000_000);
    expect(await q.resolveContextLimit('claude-broken')).toBe(200_000);
    // Ids the table knows (a family, with a date, -latest or a platform suffix) never cost a request.
    for (const id of ['claude-opus-4-6', 'claude-sonnet-4-5-20250929', 'claude-3-5-sonnet-latest', 'anthropic.claude-3-5-sonnet-20240620-v1:0', 'claude-3-5-sonnet@20240620']) {
      await q.resolveContextLimit(id);
    }
    expect(asked).toEqual(['claude-sonnet-4-6', 'claude-broken']);
  });

  it('asks the Models API with the request’s abort signal and no retries, and asks again after an abort', async () => {
    const calls: { id: string; options: unknown }[] = [];
    const client = {
      models: {
        retrieve: (id: string, _params?: object, options?: { signal?: AbortSignal }) => {
          calls.push({ id, options });
          return new Promise((resolve, reject) => {
            if (options?.signal?.aborted) reject(new Error('aborted'));
            options?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
            setTimeout(() => resolve({ max_input_tokens: 50_000 }), 20);
          });
        },
      },
    };
    const q = new AnthropicProvider({ client });
    const controller = new AbortController();
    const pending = q.resolveContextLimit('claude-next-1', { signal: controller.signal });
    controller.abort();
    expect(await pending).toBe(200_000);
    expect(calls[0]).toEqual({ id: 'claude-next-1', options: { maxRetries: 0, signal: controller.signal } });
    expect(await q.resolveContextLimit('claude-next-1')).toBe(50_000);
    expect(calls).toHaveLength(2);
  });

  it('estimates Claude tokens as o200k × estimateFactor, rounded up exactly', () => {
    expect(p.estimateTokens(100)).toBe(115);
    expect(p.estimateTokens(20)).toBe(23);
    expect(p.estimateTokens(1)).toBe(2);
    expect(p.estimateTokens(0)).toBe(0);
    expect(new AnthropicProvider({ estimateFactor: 1 }).estimateTokens(77)).toBe(77);
    expect(new AnthropicProvider({ estimateFactor: 1.3 }).estimateTokens(10)).toBe(13);
  });

  it('counts exactly through messages.countTokens when asked to', async () => {
    const calls: unknown[] = [];
    const client = { messages: { countTokens: async (params: unknown) => (calls.push(params), { input_tokens: 1234 }) } };
    const q = new AnthropicProvider({ client, exactCounting: true });
    expect(await q.countInputTokens({ model: 'claude-sonnet-4-5', messages: [], system: 's' })).toBe(1234);
    expect(calls).toEqual([{ model: 'claude-sonnet-4-5', messages: [], system: 's' }]);
    expect(await new AnthropicProvider({ client }).countInputTokens({ model: 'm', messages: [] })).toBeUndefined();
  });

  it('checks its options, naming them', () => {
    expect(() => new AnthropicProvider({ estimateFactor: 0 })).toThrow(RangeError);
    expect(() => new AnthropicProvider({ estimateFactor: Number.NaN })).toThrow(/options\.estimateFactor/);
    expect(() => new AnthropicProvider({ contextLimits: { x: -1 } })).toThrow(/options\.contextLimits\["x"\]/);
    expect(() => new AnthropicProvider({ exactCounting: true })).toThrow(/exactCounting needs options\.client/);
    expect(() => new AnthropicProvider(null as never)).toThrow(TypeError);
  });
});

describe('OpenAIProvider', () => {
  const p = new OpenAIProvider();
  it.each([
    ['gpt-4o-2024-08-06', 'o200k_base', 128_000],
    ['gpt-4o-mini', 'o200k_base', 128_000],
    ['gpt-4.1-mini-2025-04-14', 'o200k_base', 1_047_576],
    ['gpt-5-2025-08-07', 'o200k_base', 400_000],
    ['o3-mini-2025-01-31', 'o200k_base', 200_000],
    ['o1-mini', 'o200k_base', 128_000],
    ['gpt-4-0613', 'cl100k_base', 8_192],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base', 128_000],
    ['gpt-4-32k', 'cl100k_base', 32_768],
    ['gpt-3.5-turbo-0125', 'cl100k_base', 16_385],
    ['llama-3-70b', 'o200k_base', 128_000],
  ])('%s → %s, %i', (model, encoding, limit) => {
    expect(p.encoding(model)).toBe(encoding);
    expect(p.contextLimit(model)).toBe(limit);
    expect(p.estimateTokens(123)).toBe(123);
  });
});

describe('compress with providers', () => {
  const log = Array.from({ length: 200 }, (_, i) => `2024-05-01 INFO request ${i % 20} ok`).sort().join('\n');
  const messages: AnthropicMessage[] = [{ role: 'user', content: log }];
  const run = (options: Parameters<typeof compressSyncWith>[2]) => compressSyncWith({ engine: fakeEngine(), memo: new Memo() }, messages, options);

  it('counts with the model encoding and reports it', () => {
    expect(run({ model: 'gpt-4' }).tokenizer).toBe('cl100k_base');
    expect(run({ model: 'claude-opus-4-6' }).tokenizer).toBe('o200k_base');
  });

  it('uses the provider window, the betas and the async Models API answer', async () => {
    const small = new AnthropicProvider({ contextLimits: { 'claude-tiny': 30 } });
    expect(run({ model: 'claude-tiny', provider: small }).transformsApplied).toContain('over_limit:unresolved');
    const client = { models: { retrieve: async () => ({ max_input_tokens: 30 }) } };
    const remote = new AnthropicProvider({ client });
    const viaApi = await compressWith({ engine: fakeEngine(), memo: new Memo() }, messages, { model: 'claude-next', provider: remote });
    expect(viaApi.transformsApplied).toContain('over_limit:unresolved');
    // compressSync uses what the provider already knows: now the answer it fetched.
    expect(run({ model: 'claude-next', provider: remote }).transformsApplied).toContain('over_limit:unresolved');
    expect(run({ model: 'claude-other', provider: remote }).transformsApplied).not.toContain('over_limit:unresolved');
  });
});
