// Reversible compression through compress(): with a store, every lossy block's original is kept
// under a content-derived key, its first marker names that key, and result.retrieval gives back the
// original byte for byte — for logs, JSON items, search hits and diffs, identically in both
// engines. Counts, never-inflate, the memo and prefix stability hold with the annotated markers;
// a store that refuses leaves the blocks compressed as without a store (fail open).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith, countMessageTokens, type CompressOptions, type CompressResult } from '../../src/compress.js';
import { anthropicToOpenAI } from '../../src/messages/convert.js';
import { Memo } from '../../src/messages/memo.js';
import type { AnthropicMessage, ChatMessage, OpenAIMessage } from '../../src/messages/types.js';
import { MemoryStore } from '../../src/retrieval/store.js';
import { retrievalTool } from '../../src/retrieval/tool.js';
import type { Engine } from '../../src/engine/types.js';
import { compress, compressSync } from '../../src/index.js';
import { corpusFiles, corpusPath, corpusSample } from '../support/corpus.js';
import { deepFreeze } from '../support/conversations.js';
import { engines } from '../support/engines.js';
import { markerKeys, readWhole } from '../support/retrieval.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** `grep -rn return src` over this repository's own TypeScript, first 400 hits, in a fixed order. */
function grepOutput(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, name.name);
      if (name.isDirectory()) walk(p);
      else if (name.name.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'src'));
  const hits: string[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (line.includes('return ')) hits.push(`${relative(ROOT, f)}:${i + 1}:${line}`);
    });
  }
  return hits.slice(0, 400).join('\n') + '\n';
}

const diffText = readFileSync(corpusPath(corpusFiles('diffs', (f) => /\.(patch|diff)$/.test(f)).sort((a, b) => a.localeCompare(b)).at(-1)!), 'utf8');

/** Tool output of every kind, large enough that lossy selection applies at maxBlockTokens 1000. */
const OUTPUTS = [
  { kind: 'log', tool: 'ci_logs', text: corpusSample('ciLog') },
  { kind: 'json', tool: 'http_get', text: corpusSample('records') },
  { kind: 'search', tool: 'grep', text: grepOutput() },
  { kind: 'diff', tool: 'git_diff', text: diffText },
] as const;

const OPTIONS = { maxBlockTokens: 1000 } satisfies CompressOptions;

function conversation(outputs: readonly { tool: string; text: string }[], question = 'What went wrong, and which accounts are on the team plan?'): AnthropicMessage[] {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: outputs.map((o, i) => ({ type: 'tool_use', id: `toolu_${i}`, name: o.tool, input: { n: i } })) },
    { role: 'user', content: outputs.map((o, i) => ({ type: 'tool_result', tool_use_id: `toolu_${i}`, content: o.text })) },
  ] as AnthropicMessage[];
}

const toolResults = (r: CompressResult<AnthropicMessage>, at = 2): string[] => (r.messages[at]!.content as unknown as { content: string }[]).map((b) => b.content);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The result with the retrieval note taken out of its markers. */
const withoutNotes = (text: string): string => text.replace(/ · headroom_retrieve key=hr_[a-z2-7]{16}/g, '');

function stable(r: CompressResult): string {
  const { durationMs, memo, engine, retrieval, ...rest } = r;
  void durationMs;
  void memo;
  void engine;
  return JSON.stringify({ ...rest, keys: retrieval?.keys, unstored: retrieval?.unstored });
}

describe.each(engines().map((e) => [e.name, e] as const))('compress() with a store (%s engine)', (_, engine: Engine) => {
  const env = (): { engine: Engine; memo: Memo } => ({ engine, memo: new Memo() });

  it.each(OUTPUTS.map((o) => [o.kind, o] as const))('%s: the marker names a key under which the original comes back byte for byte', async (kind, output) => {
    const store = new MemoryStore();
    const input = deepFreeze(conversation([output]));
    const r = await compressWith(env(), input, { ...OPTIONS, store });
    expect(r.blocks).toHaveLength(1);
    const block = r.blocks[0]!;
    expect(block.kind).toBe(kind);
    expect(block.omitted.length).toBeGreaterThan(0);
    const key = block.retrievalKey!;
    expect(key).toMatch(/^hr_[a-z2-7]{16}$/);
    const [text] = toolResults(r);
    // The first marker carries the tool and the key; the others stay as they were.
    expect(markerKeys(text!)).toEqual([key]);
    expect(r.retrieval!.keys).toEqual([key]);
    expect(r.retrieval!.unstored).toBe(0);
    expect(r.retrieval!.tool).toEqual(retrievalTool('anthropic'));
    const whole = await readWhole((call) => r.retrieval!.retrieve(call), key);
    expect(whole.text).toBe(output.text);
    // Without a store, the markers are exactly today's.
    const plain = await compressWith(env(), input, OPTIONS);
    expect(plain.retrieval).toBeUndefined();
    expect(plain.blocks[0]!.retrievalKey).toBeUndefined();
    expect(toolResults(plain)[0]).toBe(withoutNotes(text!));
    expect(toolResults(plain)[0]).not.toContain('headroom_retrieve');
    // Counts are the annotated block's, one tokenizer on both sides, and it never inflates.
    expect(r.tokensAfter).toBe(countMessageTokens(r.messages));
    expect(block.tokensAfter).toBeLessThan(block.tokensBefore);
    expect(block.tokensAfter).toBeGreaterThan(plain.blocks[0]!.tokensAfter);
    expect(r.tokensSaved).toBe(block.tokensBefore - block.tokensAfter);
    // A lossy JSON selection is still valid JSON with the note in its marker string.
    if (isJson(toolResults(plain)[0]!)) expect(isJson(text!)).toBe(true);
    // Idempotent: the compressed messages, sent back, pass through as they are.
    const again = await compressWith(env(), deepFreeze(r.messages), { ...OPTIONS, store });
    expect(JSON.stringify(again.messages)).toBe(JSON.stringify(r.messages));
    expect(again.blocks).toEqual([]);
  });

  it('queries reach what was omitted: log lines by number, JSON records by path', async () => {
    const store = new MemoryStore();
    const r = await compressWith(env(), conversation([OUTPUTS[0], OUTPUTS[1]]), { ...OPTIONS, store });
    const [logKey, jsonKey] = r.retrieval!.keys;
    const log = OUTPUTS[0].text.split(/\r\n|\r|\n/);
    const errors = await r.retrieval!.retrieve({ key: logKey!, query: 'error', limit: 1000 });
    const expected = log.flatMap((l, i) => (/error/i.test(l) ? [`${i + 1}: ${l}`] : []));
    expect(errors.text.split('\n').slice(1)).toEqual(expected);
    const records = JSON.parse(OUTPUTS[1].text) as unknown[];
    const items = await r.retrieval!.retrieve({ key: jsonKey!, query: 'team', limit: 1000 });
    const lines = items.text.split('\n');
    expect(lines.length - 1).toBe(records.filter((x) => /team/i.test(JSON.stringify(x))).length);
    for (const line of lines.slice(1)) {
      const m = /^\$\[(\d+)\] (.*)$/.exec(line)!;
      expect(JSON.parse(m[2]!)).toEqual(records[Number(m[1])]);
    }
  });

  it('the same block gives the same key and bytes on every call, from the memo or not', async () => {
    const store = new MemoryStore();
    const memo = new Memo();
    const input = conversation(OUTPUTS);
    const first = await compressWith({ engine, memo }, input, { ...OPTIONS, store });
    const again = await compressWith({ engine, memo }, input, { ...OPTIONS, store });
    const fresh = await compressWith(env(), input, { ...OPTIONS, store: new MemoryStore() });
    expect(again.memo.misses).toBe(0);
    expect(stable(again)).toBe(stable(first));
    expect(stable(fresh)).toBe(stable(first));
    expect(first.retrieval!.keys).toHaveLength(4);
  });

  it('OpenAI messages: the tool in OpenAI’s format, the same keys and markers', async () => {
    const input = conversation(OUTPUTS);
    const a = await compressWith(env(), input, { ...OPTIONS, store: new MemoryStore() });
    const o = await compressWith(env(), anthropicToOpenAI(input) as OpenAIMessage[], { ...OPTIONS, store: new MemoryStore() });
    expect(o.retrieval!.tool).toEqual(retrievalTool('openai'));
    expect(o.retrieval!.keys).toEqual(a.retrieval!.keys);
    const texts = o.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(texts).toEqual(toolResults(a));
  });
});

describe('compress() with a store', () => {
  it('is prefix-stable turn by turn with annotated markers, and each turn only renews what it resends', async () => {
    const store = new MemoryStore();
    const memo = new Memo();
    const engine = engines()[0]!;
    const history: AnthropicMessage[] = [{ role: 'user', content: 'Look at everything and tell me what broke.' }];
    const sent: string[][] = [];
    for (let t = 0; t < OUTPUTS.length; t++) {
      const o = OUTPUTS[t]!;
      history.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${t}`, name: o.tool, input: { turn: t } }] } as AnthropicMessage);
      history.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${t}`, content: o.text }] } as AnthropicMessage);
      const r = await compressWith({ engine, memo }, history, { ...OPTIONS, store });
      expect(r.memo.misses).toBe(1);
      expect(r.retrieval!.keys).toHaveLength(t + 1);
      const now = r.messages.map((m) => JSON.stringify(m));
      if (sent.length > 0) expect(now.slice(0, sent.at(-1)!.length)).toEqual(sent.at(-1));
      // A fresh memo and store give the same bytes: stability does not come from the memo.
      const cold = await compressWith({ engine, memo: new Memo() }, history, { ...OPTIONS, store: new MemoryStore() });
      expect(cold.messages.map((m) => JSON.stringify(m))).toEqual(now);
      sent.push(now);
    }
    expect(store.size).toBe(OUTPUTS.length);
  });

  it('an original that expired is stored again when its block is resent, under the same key', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const input = conversation([OUTPUTS[0]]);
    const first = await compress(input, { ...OPTIONS, store, retrievalTtlMs: 1000 });
    const key = first.retrieval!.keys[0]!;
    now = 999;
    expect((await first.retrieval!.retrieve({ key, limit: 1 })).status).toBe('ok');
    now = 1999;
    const expired = await first.retrieval!.retrieve({ key });
    expect(expired.status).toBe('unknown');
    expect(expired.text).toContain('expired');
    // The next turn resends the block: same key, same bytes, retrievable again.
    const next = await compress(input, { ...OPTIONS, store, retrievalTtlMs: 1000 });
    expect(next.retrieval!.keys).toEqual([key]);
    expect(JSON.stringify(next.messages)).toBe(JSON.stringify(first.messages));
    expect((await readWhole((c) => next.retrieval!.retrieve(c), key)).text).toBe(OUTPUTS[0].text);
  });

  it('a store that refuses an original: that block goes without its key, as without a store (fail open)', async () => {
    const input = conversation(OUTPUTS);
    const plain = await compress(input, OPTIONS);
    // Too small for any original: every block is sent as without a store.
    const tiny = await compress(input, { ...OPTIONS, store: new MemoryStore({ maxBytes: 64 }) });
    expect(JSON.stringify(tiny.messages)).toBe(JSON.stringify(plain.messages));
    expect(tiny.tokensAfter).toBe(plain.tokensAfter);
    expect(tiny.retrieval!.keys).toEqual([]);
    expect(tiny.retrieval!.unstored).toBe(4);
    expect(tiny.retrieval!.error).toMatch(/^the store refused the original: MemoryStore: a value of \d+ bytes is larger than maxBytes \(64\)$/);
    expect(tiny.failures).toEqual([]);
    expect(tiny.retrieval!.withTool([])).toEqual([]);
    // Room for the smaller originals only: those keep their keys, the others go without.
    const sizes = OUTPUTS.map((o) => o.text.length).sort((a, b) => a - b);
    const some = await compress(input, { ...OPTIONS, store: new MemoryStore({ maxBytes: sizes[1]! * 3 }) });
    expect(some.retrieval!.keys.length).toBeGreaterThan(0);
    expect(some.retrieval!.keys.length + some.retrieval!.unstored).toBe(4);
    expect(some.tokensAfter).toBe(countMessageTokens(some.messages));
    const withKey = some.blocks.filter((b) => b.retrievalKey !== undefined).map((b) => b.blockIndex);
    toolResults(some).forEach((text, i) => {
      if (withKey.includes(i)) expect(markerKeys(text)).toHaveLength(1);
      else expect(text).toBe(toolResults(plain)[i]);
    });
  });

  it('over the context window: the keys are exactly those the sent messages name, each retrievable', async () => {
    const store = new MemoryStore();
    const history: AnthropicMessage[] = [{ role: 'user', content: 'Go through all of it.' }];
    for (let t = 0; t < 12; t++) {
      const o = OUTPUTS[t % OUTPUTS.length]!;
      history.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${t}`, name: o.tool, input: { turn: t } }] } as AnthropicMessage);
      history.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${t}`, content: `${o.text}\nturn ${t}` }] } as AnthropicMessage);
    }
    const r = await compress(history, { ...OPTIONS, store, tokenBudget: 6000 });
    expect(r.transformsApplied).toContain('over_limit:harder');
    expect(r.transformsApplied).toContain('over_limit:dropped_turns');
    const named = r.messages.flatMap((m) => (typeof m.content === 'string' ? markerKeys(m.content) : (m.content as unknown as { content?: unknown }[]).flatMap((b) => (typeof b.content === 'string' ? markerKeys(b.content) : []))));
    expect(named).toEqual(r.retrieval!.keys);
    expect(named.length).toBeGreaterThan(0);
    for (const key of named) expect((await r.retrieval!.retrieve({ key, limit: 1 })).status).toBe('ok');
    expect(r.tokensAfter).toBe(countMessageTokens(r.messages));
  });

  it('withTool appends the tool once, at the end, only when a marker names a key', async () => {
    const r = await compress(conversation([OUTPUTS[0]]), { ...OPTIONS, store: new MemoryStore() });
    const mine = [{ name: 'ci_logs', description: 'CI logs', input_schema: { type: 'object' } }];
    const tools = r.retrieval!.withTool(mine)!;
    expect(tools).toEqual([...mine, retrievalTool('anthropic')]);
    expect(r.retrieval!.withTool(tools)).toEqual(tools);
    expect(r.retrieval!.withTool(undefined)).toEqual([retrievalTool('anthropic')]);
    const small = await compress([{ role: 'user', content: 'hi' }], { store: new MemoryStore() });
    expect(small.retrieval!.keys).toEqual([]);
    expect(small.retrieval!.withTool(mine)).toEqual(mine);
    expect(small.retrieval!.withTool(undefined)).toBeUndefined();
  });

  it('never compresses a retrieval answer again (no retrieve–compress loop)', async () => {
    const store = new MemoryStore();
    const first = await compress(conversation([OUTPUTS[0]]), { ...OPTIONS, store });
    const key = first.retrieval!.keys[0]!;
    const call = { type: 'tool_use' as const, id: 'toolu_r', name: 'headroom_retrieve', input: { key, limit: 1000 } };
    const answer = await first.retrieval!.retrieve(call);
    const history = deepFreeze([
      ...conversation([OUTPUTS[0]]),
      { role: 'assistant', content: [call] },
      { role: 'user', content: [answer.reply] },
    ] as AnthropicMessage[]);
    const next = await compress(history, { ...OPTIONS, store });
    expect(next.messages[4]).toBe(history[4]);
    expect(next.blocks.map((b) => b.messageIndex)).toEqual([2]);
    // The same in OpenAI's format, and even when the caller's protectTools list does not name it.
    const openai = anthropicToOpenAI(history) as ChatMessage[];
    const o = await compress(openai, { ...OPTIONS, store, protectTools: [] });
    const answerMessage = openai.findIndex((m) => m.role === 'tool' && (m as OpenAIMessage).tool_call_id === 'toolu_r');
    expect(o.messages[answerMessage]).toBe(openai[answerMessage]);
  });

  it('checks its options: a Store, a time to live, and compress() rather than compressSync()', async () => {
    const input = conversation([OUTPUTS[0]]);
    await expect(compress(input, { store: {} as MemoryStore })).rejects.toThrow(/options\.store must be a Store/);
    await expect(compress(input, { store: new MemoryStore(), retrievalTtlMs: 0 })).rejects.toThrow(RangeError);
    expect(() => compressSync(input, { store: new MemoryStore() })).toThrow(/compressSync: options.store needs compress\(\)/);
    expect(() => compressSyncWith({ engine: engines()[0]!, memo: new Memo() }, input, { retrievalTtlMs: 5 })).not.toThrow();
  });
});

describe('compress() with a store: parity', () => {
  it('both engines give the same messages, keys and counts', async () => {
    const input = conversation(OUTPUTS);
    const results = [];
    for (const engine of engines()) results.push(stable(await compressWith({ engine, memo: new Memo() }, input, { ...OPTIONS, store: new MemoryStore() })));
    for (const r of results) expect(r).toBe(results[0]);
  });
});
