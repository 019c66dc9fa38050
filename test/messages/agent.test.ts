// Long agent conversations (30–60 turns) whose tool results are real corpus files — API JSON, CI
// logs, diffs, and SWE-agent observations — replayed turn by turn as an application does it: it
// keeps its own uncompressed history and compresses the whole of it before every request.
// Checked on every request: the previous request's compressed messages are a byte-identical prefix
// of this one's; only the new turn's blocks are compressed (the rest come from the memo); both
// engines give identical results. One conversation grows past its context budget and shows the
// over-limit path.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith, type CompressEnv, type CompressOptions, type CompressResult } from '../../src/compress.js';
import { parseDroppedTurnsMarker } from '../../src/messages/markers.js';
import { Memo } from '../../src/messages/memo.js';
import type { AnthropicMessage, ChatMessage } from '../../src/messages/types.js';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { MemoryStore } from '../../src/retrieval/store.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';
import { engines } from '../support/engines.js';
import type { BlockInput } from '../../src/engine/types.js';
import { fakeEngine, type FakeEngine } from '../support/fake-engine.js';
import { anthropicProtocolErrors } from '../support/protocol.js';

interface ToolOutput {
  tool: string;
  input: Record<string, unknown>;
  content: string;
}

const read = (rel: string): string => readFileSync(corpusPath(rel), 'utf8');

/** Tool outputs by kind, from the corpus, in a fixed order. */
function outputs(): ToolOutput[][] {
  const json = corpusFiles('json', (f) => f.endsWith('.json')).map((f) => ({ tool: 'http_get', input: { url: `https://api.example.com/${basename(f, '.json')}` }, content: read(f) }));
  const logs = corpusFiles('ci-logs', (f) => f.endsWith('fail.log')).map((f) => ({ tool: 'ci_logs', input: { run: basename(dirname(f)) }, content: read(f) }));
  const diffs = corpusFiles('diffs', (f) => /\.(patch|diff)$/.test(f)).map((f) => ({ tool: 'git_diff', input: { patch: basename(f) }, content: read(f) }));
  // SWE-agent observations: file views come from a protected tool (Read), the rest from bash.
  const views = corpusFiles('trajectories', (f) => f.endsWith('.traj')).flatMap((f) => {
    const traj = JSON.parse(read(f)) as { trajectory: { action: string; observation: string }[] };
    return traj.trajectory
      .filter((step) => step.observation.trim() !== '')
      .map((step) => ({ tool: step.observation.startsWith('[File:') ? 'Read' : 'bash', input: { command: step.action.split('\n')[0] }, content: step.observation }));
  });
  return [json, logs, diffs, views];
}

const POOLS = outputs();
const FIRST_USER = 'The deploy of the payments service failed last night. Go through the API responses, the CI runs and the recent patches, and tell me what broke and why.';

/**
 * An agent conversation of `turns` turns: each an assistant message (thinking on some, one or two
 * tool calls) and a user message of tool results (with a human follow-up on some). Deterministic.
 */
function agentConversation(turns: number, offset: number, pools: ToolOutput[][] = POOLS): AnthropicMessage[] {
  const messages: AnthropicMessage[] = [{ role: 'user', content: FIRST_USER }];
  // Each pool in a fixed pseudo-random order, drawn without repeats (a repeated output with the
  // same call would rightly come from the memo, which the memo checks below do not model).
  let seed = offset;
  const shuffled = pools.map((pool) => {
    const order = pool.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.map((i) => pool[i]!);
  });
  const used = pools.map(() => 0);
  const next = (kind: number): ToolOutput => {
    const k = kind % pools.length;
    const pool = shuffled[k]!;
    const at = used[k]!;
    used[k] = at + 1;
    // A small pool (the fixture corpus) comes round again: leading blanks keep each draw distinct.
    const round = Math.floor(at / pool.length);
    const output = pool[at % pool.length]!;
    return round === 0 ? output : { ...output, content: ' '.repeat(round) + output.content };
  };
  for (let t = 0; t < turns; t++) {
    const calls = [next(t + offset)];
    if (t % 5 === 4) calls.push(next(t + offset + 1));
    const uses = calls.map((c, k) => ({ type: 'tool_use', id: `toolu_${offset}_${t}_${k}`, name: c.tool, input: c.input }));
    const thinking = t % 3 === 0 ? [{ type: 'thinking', thinking: `Turn ${t}: next I look at ${calls[0]!.tool}.`, signature: `sig${t}==` }] : [];
    messages.push({ role: 'assistant', content: [...thinking, { type: 'text', text: `Checking ${calls.map((c) => c.tool).join(' and ')}.` }, ...uses] } as AnthropicMessage);
    const results = calls.map((c, k) => ({ type: 'tool_result', tool_use_id: `toolu_${offset}_${t}_${k}`, content: c.content }));
    const follow = t % 8 === 7 ? [{ type: 'text', text: `Thanks. Now focus on anything about ${calls[0]!.tool === 'ci_logs' ? 'the failing tests' : 'errors and timeouts'}.` }] : [];
    messages.push({ role: 'user', content: [...results, ...follow] } as AnthropicMessage);
  }
  return messages;
}

/** Everything deterministic about a result. */
function stable(r: CompressResult): string {
  const { durationMs, memo, engine, ...rest } = r;
  void durationMs;
  void memo;
  void engine;
  return JSON.stringify({ ...rest, retrieval: rest.retrieval?.keys });
}

/** Tool results in `messages` that are not from a protected tool (one block each here). */
function toolSites(messages: readonly AnthropicMessage[]): number {
  const names = new Map<string, string>();
  let n = 0;
  for (const m of messages) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content as { type: string; id?: string; name?: string; tool_use_id?: string }[]) {
      if (b.type === 'tool_use') names.set(b.id!, b.name!);
      if (b.type === 'tool_result' && names.get(b.tool_use_id!) !== 'Read') n++;
    }
  }
  return n;
}

interface Replay {
  results: CompressResult<AnthropicMessage>[];
  /** The history length of each request. */
  lengths: number[];
  /** With the folding engine: the texts each request sent to it. */
  sent: string[][];
}

/** Sends the growing history after every user message, as an application would. */
async function replay(env: CompressEnv, history: readonly AnthropicMessage[], options: CompressOptions<AnthropicMessage>, sync: boolean): Promise<Replay> {
  const results: CompressResult<AnthropicMessage>[] = [];
  const lengths: number[] = [];
  const sent: string[][] = [];
  const batches = (): BlockInput[][] => ('batches' in env.engine ? (env.engine as FakeEngine).batches : []);
  for (let n = 1; n <= history.length; n += 2) {
    const request = history.slice(0, n);
    const before = batches().length;
    results.push(sync ? compressSyncWith(env, request, options) : await compressWith(env, request, options));
    lengths.push(n);
    sent.push(batches().slice(before).flat().map((input) => input.content));
  }
  return { results, lengths, sent };
}

function expectPrefixStableAndMemoised(run: Replay, history: readonly AnthropicMessage[], checkSent = false): void {
  const { results, lengths } = run;
  results.forEach((r, i) => {
    expect(r.failures).toEqual([]);
    expect(r.transformsApplied.filter((t) => t.startsWith('over_limit'))).toEqual([]);
    const fresh = toolSites(history.slice(0, lengths[i]!)) - (i === 0 ? 0 : toolSites(history.slice(0, lengths[i - 1]!)));
    expect(r.memo.misses, `request ${i}`).toBe(fresh);
    if (i === 0) return;
    const previous = results[i - 1]!;
    expect(r.memo.hits).toBe(previous.memo.hits + previous.memo.misses);
    // Byte-identical prefix: what the previous request sent is exactly how this one starts.
    expect(JSON.stringify(r.messages.slice(0, previous.messages.length))).toBe(JSON.stringify(previous.messages));
    if (checkSent) {
      // The engine saw only the new turn's tool output.
      const newTexts = history
        .slice(lengths[i - 1]!, lengths[i]!)
        .flatMap((m) => (Array.isArray(m.content) ? (m.content as { type: string; content?: unknown }[]) : []))
        .filter((b) => b.type === 'tool_result')
        .map((b) => b.content as string);
      const sent = run.sent[i]!;
      expect(sent.filter((t) => !newTexts.includes(t)).map((t) => t.slice(0, 80)), `request ${i}`).toEqual([]);
      expect(sent).toHaveLength(fresh);
    }
  });
}

const BIG_WINDOW: CompressOptions<AnthropicMessage> = { model: 'claude-opus-4-6' };

describe('long agent conversations from the corpus', () => {
  const conversations = [agentConversation(36, 1), agentConversation(52, 2)];

  it.each(conversations.map((c, i) => [i, c.length, c] as const))('conversation %i (%i messages): prefix-stable, memoised, identical in both engines', async (_, __, history) => {
    const runs: Replay[] = [];
    for (const engine of engines()) {
      const run = await replay({ engine, memo: new Memo() }, history, BIG_WINDOW, false);
      expectPrefixStableAndMemoised(run, history);
      runs.push(run);
    }
    const sync = await replay({ engine: engines()[0]!, memo: new Memo() }, history, BIG_WINDOW, true);
    runs.push(sync);
    for (const run of runs.slice(1)) expect(run.results.map(stable)).toEqual(runs[0]!.results.map(stable));
    // Idempotent on real tool output: the last request, compressed again, is unchanged.
    for (const engine of engines()) {
      const last = runs[0]!.results.at(-1)!;
      const again = compressSyncWith({ engine, memo: new Memo() }, last.messages, BIG_WINDOW);
      expect(JSON.stringify(again.messages)).toBe(JSON.stringify(last.messages));
    }
  });

  it('with retrieval on (a store), every request is still a byte-identical prefix of the next, in both engines', async () => {
    const history = conversations[0]!;
    const options = { ...BIG_WINDOW, maxBlockTokens: 1500 };
    const runs: Replay[] = [];
    for (const engine of engines()) {
      const store = new MemoryStore();
      const run = await replay({ engine, memo: new Memo() }, history, { ...options, store }, false);
      expectPrefixStableAndMemoised(run, history);
      const last = run.results.at(-1)!;
      expect(last.retrieval!.keys.length).toBeGreaterThan(0);
      expect(last.retrieval!.unstored).toBe(0);
      // Keys only ever accumulate: a block keeps its key, and its marker its bytes, turn after turn.
      run.results.forEach((r, i) => {
        if (i > 0) expect(r.retrieval!.keys.slice(0, run.results[i - 1]!.retrieval!.keys.length)).toEqual(run.results[i - 1]!.retrieval!.keys);
      });
      // Each key's original is in the store; the request without a store differs only by the notes.
      for (const key of last.retrieval!.keys) expect((await last.retrieval!.retrieve({ key, limit: 1 })).status).toBe('ok');
      const plain = compressSyncWith({ engine, memo: new Memo() }, history, options);
      expect(JSON.stringify(last.messages).replace(/ · headroom_retrieve key=hr_[a-z2-7]{16}/g, '')).toBe(JSON.stringify(plain.messages));
      runs.push(run);
    }
    for (const run of runs.slice(1)) expect(run.results.map(stable)).toEqual(runs[0]!.results.map(stable));
  });

  it('with blocks that shrink (folding engine), the same holds and tokens drop', async () => {
    const history = conversations[1]!;
    const fake = fakeEngine();
    const run = await replay({ engine: fake, memo: new Memo() }, history, BIG_WINDOW, false);
    expectPrefixStableAndMemoised(run, history, true);
    const last = run.results.at(-1)!;
    expect(last.tokensSaved).toBeGreaterThan(0);
    expect(last.blocks.length).toBeGreaterThan(0);
  });

  it('past its budget: older blocks harder, then whole turns dropped behind one marker', async () => {
    const history = agentConversation(60, 3);
    const estimate = (n: number): number => new AnthropicProvider().estimateTokens(n);
    for (const [name, env] of [...engines().map((e) => [e.name, { engine: e, memo: new Memo() }] as const), ['folding', { engine: fakeEngine(), memo: new Memo() }] as const]) {
      // A budget the whole conversation exceeds by far, whatever the compressors achieve.
      const full = compressSyncWith({ engine: env.engine, memo: new Memo() }, history, BIG_WINDOW);
      const budget = Math.floor(estimate(full.tokensAfter) * 0.4);
      const options = { ...BIG_WINDOW, tokenBudget: budget };
      const run = await replay(env, history, options, false);
      const over = run.results.findIndex((r) => r.transformsApplied.some((t) => t.startsWith('over_limit')));
      expect(over, name).toBeGreaterThan(0);
      // Until the budget is reached the conversation is prefix-stable.
      expectPrefixStableAndMemoised({ results: run.results.slice(0, over), lengths: run.lengths.slice(0, over), sent: run.sent }, history);
      for (const r of run.results.slice(over)) {
        expect(anthropicProtocolErrors(r.messages), name).toEqual([]);
        expect(r.messages[0], name).toBe(history[0]);
        const markers = r.messages.filter((m) => typeof m.content === 'string' && parseDroppedTurnsMarker(m.content) !== undefined);
        expect(markers.length, name).toBeLessThanOrEqual(1);
        if (r.transformsApplied.includes('over_limit:dropped_turns')) {
          expect(markers, name).toHaveLength(1);
          expect(r.messages[1], name).toBe(markers[0]);
        }
        if (!r.transformsApplied.includes('over_limit:unresolved')) expect(estimate(r.tokensAfter), name).toBeLessThanOrEqual(budget);
      }
      const last = run.results.at(-1)!;
      expect(last.transformsApplied, name).toContain('over_limit:dropped_turns');
      // The newest turn is always kept whole.
      expect(JSON.stringify(last.messages.at(-1)), name).toBe(JSON.stringify(compressSyncWith({ engine: env.engine, memo: new Memo() }, history, BIG_WINDOW).messages.at(-1)));
    }
  });
});

// Both engines must agree on the over-limit path too (it depends on counts only).
describe('over-limit parity', () => {
  it('both engines drop the same turns', () => {
    const history = agentConversation(40, 4) as ChatMessage[];
    const results = engines().map((engine) => stable(compressSyncWith({ engine, memo: new Memo() }, history, { tokenBudget: 60_000 })));
    for (const r of results) expect(r).toEqual(results[0]);
  });
});
