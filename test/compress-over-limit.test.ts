// Over the context limit (PRODUCT §3): older blocks compressed harder first, then the oldest whole
// turns dropped behind one marker — never the first user message, never half a tool_use/tool_result
// pair — and below the limit nothing is ever dropped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith, type CompressEnv } from '../src/compress.js';
import { anthropicToOpenAI } from '../src/messages/convert.js';
import { parseDroppedTurnsMarker } from '../src/messages/markers.js';
import { Memo } from '../src/messages/memo.js';
import type { AnthropicMessage, ChatMessage, OpenAIMessage } from '../src/messages/types.js';
import { AnthropicProvider } from '../src/providers/anthropic.js';
import { conversation, deepFreeze } from './support/conversations.js';
import { fakeEngine } from './support/fake-engine.js';
import { anthropicProtocolErrors, openAIProtocolErrors } from './support/protocol.js';

const fresh = (): CompressEnv => ({ engine: fakeEngine(), memo: new Memo() });
const estimate = (n: number): number => new AnthropicProvider().estimateTokens(n);

function log(turn: number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) for (let r = 0; r < 3; r++) out.push(`2024-05-01 INFO turn ${turn} step ${i} done with code ${i * 7}`);
  return out.join('\n');
}

/** An agent loop: a question, then `turns` × (assistant tool call, user tool result). */
function agent(turns: number): AnthropicMessage[] {
  const messages: AnthropicMessage[] = [{ role: 'user', content: 'Investigate the failing deploy.' }];
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${t}.` }, { type: 'tool_use', id: `t${t}`, name: 'logs', input: { page: t } }] } as AnthropicMessage);
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${t}`, content: log(t, 30) }] } as AnthropicMessage);
  }
  return messages;
}

const markers = (messages: readonly ChatMessage[]): string[] =>
  messages.flatMap((m) => (typeof m.content === 'string' && parseDroppedTurnsMarker(m.content) !== undefined ? [m.content] : []));

describe('over the context limit', () => {
  const input = deepFreeze(agent(10));
  const base = compressSyncWith(fresh(), input, { maxBlockTokens: 400 });

  it('changes nothing below the limit', () => {
    const r = compressSyncWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: estimate(base.tokensAfter) });
    expect(r.messages).toEqual(base.messages);
    expect(r.transformsApplied.some((t) => t.startsWith('over_limit'))).toBe(false);
  });

  it('first compresses older blocks harder, oldest first, leaving the latest message alone', () => {
    const budget = estimate(base.tokensAfter) - 50;
    const r = compressSyncWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: budget });
    expect(r.transformsApplied).toContain('over_limit:harder');
    expect(r.transformsApplied).not.toContain('over_limit:dropped_turns');
    expect(estimate(r.tokensAfter)).toBeLessThanOrEqual(budget);
    expect(r.messages).toHaveLength(input.length);
    expect(r.messages[input.length - 1]).toEqual(base.messages[input.length - 1]);
    // Oldest first: the first tool result got the harder form, a later one did not need to.
    expect(r.blocks[0]!.tokensAfter).toBeLessThan(base.blocks[0]!.tokensAfter);
    expect(r.blocks.at(-2)!.tokensAfter).toBe(base.blocks.at(-2)!.tokensAfter);
  });

  it('then drops the oldest whole turns behind one marker, keeping the first user message', () => {
    const budget = Math.floor(estimate(base.tokensAfter) / 3);
    const r = compressSyncWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: budget });
    expect(r.transformsApplied).toEqual(expect.arrayContaining(['over_limit:harder', 'over_limit:dropped_turns']));
    expect(r.transformsApplied).not.toContain('over_limit:unresolved');
    expect(estimate(r.tokensAfter)).toBeLessThanOrEqual(budget);
    expect(r.messages[0]).toBe(input[0]);
    expect(markers(r.messages)).toHaveLength(1);
    const marker = parseDroppedTurnsMarker(r.messages[1]!.content as string)!;
    expect(r.messages).toHaveLength(input.length - marker.messages + 1);
    expect(marker.messages).toBe(2 * marker.turns);
    expect(r.messages[2]!.role).toBe('assistant');
    expect(anthropicProtocolErrors(r.messages)).toEqual([]);
    // The kept turns are the latest ones, as compressed (possibly harder).
    expect(r.messages.at(-1)).toEqual(base.messages.at(-1));
    // Reports only name blocks still present.
    expect(r.blocks.every((b) => b.messageIndex >= 1 + marker.messages)).toBe(true);
    // Compressing the result again under the same budget changes nothing.
    const again = compressSyncWith(fresh(), deepFreeze(r.messages), { maxBlockTokens: 400, tokenBudget: budget });
    expect(JSON.stringify(again.messages)).toBe(JSON.stringify(r.messages));
  });

  it('counts system, tools and maxTokens against the limit', () => {
    const budget = estimate(base.tokensAfter) + 20;
    expect(compressSyncWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: budget }).transformsApplied).not.toContain('over_limit:harder');
    for (const extra of [{ maxTokens: 100 }, { system: 'You are a careful SRE. '.repeat(20) }, { tools: [{ name: 'logs', description: 'Fetch logs. '.repeat(20), input_schema: {} }] }]) {
      expect(compressSyncWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: budget, ...extra }).transformsApplied).toContain('over_limit:harder');
    }
  });

  it('says so when even the last turn does not fit, and still keeps the protocol', async () => {
    const r = await compressWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: 50 });
    expect(r.transformsApplied).toContain('over_limit:unresolved');
    expect(r.messages[0]).toBe(input[0]);
    expect(markers(r.messages)).toHaveLength(1);
    expect(r.messages.slice(2)).toEqual(compressSyncWith(fresh(), input, { maxBlockTokens: 400, tokenBudget: 50 }).messages.slice(2));
    expect(r.messages.slice(2).map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(anthropicProtocolErrors(r.messages)).toEqual([]);
    // A second run replaces its own marker instead of adding one, carrying the counts.
    const again = compressSyncWith(fresh(), r.messages, { maxBlockTokens: 400, tokenBudget: 50 });
    expect(markers(again.messages)).toEqual(markers(r.messages));
  });

  it('lossless-only (maxBlockTokens: Infinity) skips the harder step', () => {
    const all = compressSyncWith(fresh(), input, { maxBlockTokens: Infinity });
    const r = compressSyncWith(fresh(), input, { maxBlockTokens: Infinity, tokenBudget: estimate(all.tokensAfter) - 10 });
    expect(r.transformsApplied).not.toContain('over_limit:harder');
    expect(r.transformsApplied).toContain('over_limit:dropped_turns');
  });

  it('keeps OpenAI system messages and the tool-call pairs', () => {
    const openai: OpenAIMessage[] = [{ role: 'system', content: 'Be brief.' }, ...anthropicToOpenAI(input)];
    const budget = Math.floor(estimate(base.tokensAfter) / 3);
    const r = compressSyncWith(fresh(), openai, { maxBlockTokens: 400, tokenBudget: budget });
    expect(r.messages[0]).toBe(openai[0]);
    expect(r.messages[1]).toBe(openai[1]);
    expect(markers(r.messages)).toHaveLength(1);
    expect(r.messages[2]!.content).toBe(markers(r.messages)[0]);
    expect(openAIProtocolErrors(r.messages)).toEqual([]);
  });

  it('keeps the protocol valid on generated conversations under any budget', () => {
    fc.assert(
      fc.property(conversation, fc.integer({ min: 10, max: 3000 }), (generated, budget) => {
        const messages = deepFreeze(structuredClone(generated)) as AnthropicMessage[];
        fc.pre(anthropicProtocolErrors(messages).length === 0);
        const r = compressSyncWith(fresh(), messages, { minTokens: 20, tokenBudget: budget });
        expect(anthropicProtocolErrors(r.messages)).toEqual([]);
        expect(markers(r.messages).length).toBeLessThanOrEqual(markers(messages).length + 1);
        // The first message is never dropped (it may be compressed like any other).
        expect(r.messages[0]).toEqual(compressSyncWith(fresh(), messages, { minTokens: 20 }).messages[0]);
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
        const assistants = new Set(messages.filter((m) => m.role === 'assistant'));
        // Assistant messages (thinking, signatures, tool_use) are never rewritten, only dropped whole.
        for (const m of r.messages) if (m.role === 'assistant') expect(assistants.has(m)).toBe(true);
      }),
      { seed: 777, numRuns: 150 },
    );
  });
});
