// The sessions bench: a trajectory is replayed the way its agent sent it, each strategy's requests
// are what the library (or the wrapper) would send, and the bill of a small session built here is
// worked out by hand. Token sizes: 'a a a …' of n words is n o200k tokens; each message adds 3
// tokens and each request 3 (countMessageTokens' convention).
import { existsSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dollars, MODELS } from '../../benches/billing.js';
import { corpusRoot, loadCorpus } from '../../benches/corpus.js';
import { benchSessions, billSession, headroomTurns, lastNTurns, sessionEntries, sessionTotals, uncompressedTurns, type Sent } from '../../benches/sessions.js';
import { readTrajectory, type Session } from '../../benches/trajectory.js';
import { HeadroomClient, withHeadroom } from '../../src/anthropic.js';
import { countTokens, openAIToAnthropic } from '../../src/index.js';
import { retrievalTool } from '../../src/retrieval/tool.js';
import { MockAnthropic } from '../support/anthropic-server.js';
import { markerKeys } from '../support/retrieval.js';

const [sonnet, opus] = MODELS as [(typeof MODELS)[number], (typeof MODELS)[number]];
const words = (n: number, w: string): string => Array.from({ length: n }, () => w).join(' ');
/** 120 heartbeat lines: one log template, which headroom folds. */
const LOG = Array.from({ length: 120 }, (_, i) => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z INFO worker heartbeat ok`).join('\n');
/** 150 access-log lines: another template. */
const ACCESS = Array.from({ length: 150 }, (_, i) => `2026-01-01T00:0${Math.floor(i / 60)}:${String(i % 60).padStart(2, '0')}Z INFO GET /api/items/${i} 200 ${10 + (i % 7)}ms`).join('\n');

/** A SWE-agent trajectory (no function calling): observations come back as user messages. */
function trajectory(stamps?: string[]): string {
  const at = (k: number): object => (stamps === undefined ? {} : { timestamp: stamps[k] });
  const history = [
    { role: 'system', content: words(1200, 'a'), agent: 'primary' },
    { role: 'user', content: words(100, 'b'), agent: 'primary' },
    { role: 'assistant', content: words(50, 'd'), thought: 'look', action: 'ls', agent: 'primary', ...at(0) },
    { role: 'user', content: words(300, 'c'), agent: 'primary' },
    { role: 'assistant', content: words(50, 'e'), action: 'cat app.log', agent: 'primary', ...at(1) },
    { role: 'user', content: LOG, agent: 'primary' },
    { role: 'assistant', content: words(50, 'f'), agent: 'primary', ...at(2) },
    { role: 'user', content: words(200, 'h'), agent: 'primary' },
    { role: 'assistant', content: words(50, 'g'), agent: 'primary', ...at(3) },
  ];
  return JSON.stringify({ environment: 'test', history, trajectory: [], info: {} });
}

function session(text: string): Session {
  const s = readTrajectory('test.traj', text);
  if ('error' in s) throw new Error(s.error);
  return s;
}

it('sizes used below', () => {
  expect([countTokens(words(1200, 'a')), countTokens(words(100, 'b')), countTokens(words(50, 'd')), countTokens(words(300, 'c'))]).toEqual([1200, 100, 50, 300]);
  expect([countTokens(LOG), countTokens(words(200, 'h'))]).toEqual([2159, 200]);
  expect(countTokens('(older tool output omitted: 1 line)')).toBe(10);
  expect(countTokens('(older tool output omitted: 120 lines)')).toBe(10);
});

describe('readTrajectory', () => {
  it('keeps what the agent sent, one turn per model call, 30 s apart without timestamps', () => {
    const s = session(trajectory());
    expect(s.system).toBe(words(1200, 'a'));
    expect(s.tools).toEqual([]);
    expect(s.history[1]).toEqual({ role: 'assistant', content: words(50, 'd') });
    expect(s.turns).toEqual([
      { end: 1, at: 0 },
      { end: 3, at: 30 },
      { end: 5, at: 60 },
      { end: 7, at: 90 },
    ]);
    expect(s.spacing).toBe('30 s');
  });

  it('spaces turns by the timestamps of the answers when every answer has one', () => {
    const s = session(trajectory(['2026-12-04T10:00:00Z', '2026-12-04T10:00:30Z', '2026-12-04T10:10:30Z', '2026-12-04T10:11:00Z']));
    expect(s.turns.map((t) => t.at)).toEqual([0, 30, 630, 660]);
    expect(s.spacing).toBe('timestamps');
  });

  it('rebuilds a function-calling agent’s tools and its tool messages', () => {
    const docs = 'bash:\n  docstring: runs the given command directly in bash\n  signature: <command>\n  arguments:\n    - command (string) [required]: a command to run\n\nopen:\n  docstring: opens a file\n  signature: open "<path>" [<line_number>]\n  arguments:\n    - path (string) [required]: the path\n    - line_number (integer) [optional]: where\n\nsubmit:\n  docstring: submits\n  signature: submit\n';
    const s = session(
      JSON.stringify({
        replay_config: JSON.stringify({ agent: { tools: { command_docs: docs } } }),
        history: [
          { role: 'system', content: 'You fix bugs.', message_type: 'system_prompt' },
          { role: 'user', content: 'Fix it.', message_type: 'observation' },
          { role: 'assistant', content: 'Listing.', thought: 'Listing.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
          { role: 'tool', content: 'a.py', tool_call_ids: ['c1'], message_type: 'observation' },
          { role: 'assistant', content: 'Done.' },
        ],
      }),
    );
    expect(s.tools).toEqual([
      { name: 'bash', description: 'runs the given command directly in bash', input_schema: { type: 'object', properties: { command: { type: 'string', description: 'a command to run' } }, required: ['command'] } },
      {
        name: 'open',
        description: 'opens a file',
        input_schema: { type: 'object', properties: { path: { type: 'string', description: 'the path' }, line_number: { type: 'integer', description: 'where' } }, required: ['path'] },
      },
      { name: 'submit', description: 'submits', input_schema: { type: 'object', properties: {}, required: [] } },
    ]);
    expect(s.history[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'a.py' });
    expect(s.turns.map((t) => t.end)).toEqual([1, 3]);
  });

  it('reports a file it cannot replay', () => {
    expect(readTrajectory('x.traj', '{"trajectory": []}')).toEqual({ name: 'x.traj', error: 'no `history` array' });
    expect(readTrajectory('y.traj', 'not json')).toMatchObject({ name: 'y.traj', error: expect.stringMatching(/^not JSON/) });
  });
});

describe('the bill of a replayed session, worked out by hand', () => {
  // Request sizes (a): turn 1 = 3 + 1200 + (3 + 100) = 1306; turn 2 = 1306 + 53 + 303 = 1662;
  // turn 3 = 1662 + 53 + (3 + 2159) = 3877; turn 4 = 3877 + 53 + 203 = 4133.
  it('(a) no compression: each turn reads the previous request and writes what it adds', () => {
    const s = session(trajectory());
    const run = billSession(s, uncompressedTurns(s), 'none');
    expect(run.tokens).toBe(1306 + 1662 + 3877 + 4133);
    // Sonnet: writes 1306, 356, 2215, 256; reads 0, 1306, 1662, 3877.
    expect(run.models[0]!.bill).toEqual({ uncached: 0, written5m: 4133, written1h: 0, read: 6845 });
    expect(run.models[0]!.dollars).toBeCloseTo(0.01755225, 12); // (4133 × 1.25 + 6845 × 0.1) × $3/M
    // Opus 4.6 caches nothing under 4096 tokens: turns 1–3 are uncached, turn 4 is written whole.
    expect(run.models[1]!.bill).toEqual({ uncached: 6845, written5m: 4133, written1h: 0, read: 0 });
    expect(run.models[1]!.dollars).toBeCloseTo(0.06005625, 12); // (6845 + 4133 × 1.25) × $5/M
    expect(run.models[0]!.cumulative).toHaveLength(4);
    expect(run.models[0]!.cumulative.at(-1)).toBeCloseTo(run.models[0]!.dollars, 12);
  });

  it('(a) with a ten-minute gap: the 5-minute entries expire and turn 3 is written whole', () => {
    const s = session(trajectory(['2026-12-04T10:00:00Z', '2026-12-04T10:00:30Z', '2026-12-04T10:10:30Z', '2026-12-04T10:11:00Z']));
    const run = billSession(s, uncompressedTurns(s), 'none');
    // Writes 1306, 356, 3877, 256; reads 0, 1306, 0, 3877.
    expect(run.models[0]!.bill).toEqual({ uncached: 0, written5m: 5795, written1h: 0, read: 5183 });
    expect(run.models[0]!.dollars).toBeCloseTo(0.02328615, 12); // (5795 × 1.25 + 5183 × 0.1) × $3/M
  });

  it('(e) keeping the last tool output: each cut invalidates the cache from the cut on', () => {
    const s = session(trajectory());
    const sent = lastNTurns(s, 1);
    expect(sent[2]!.request.messages[2]!.content).toBe('(older tool output omitted: 1 line)');
    const run = billSession(s, sent, 'last-n');
    // Turn 3 = 1306 + 53 + 13 + 53 + 2162 = 3587 reads only the task (1306): the output after it changed.
    // Turn 4 = 1306 + 53 + 13 + 53 + 13 + 53 + 203 = 1694 reads 1306 again: turn 3 wrote the uncut log.
    expect(run.tokens).toBe(1306 + 1662 + 3587 + 1694);
    expect(run.models[0]!.bill).toEqual({ uncached: 0, written5m: 1306 + 356 + 2281 + 388, written1h: 0, read: 3 * 1306 });
    expect(run.models[0]!.dollars).toBeCloseTo(0.01741665, 12); // (4331 × 1.25 + 3918 × 0.1) × $3/M
    expect(run.models[1]!.bill).toEqual({ uncached: 8249, written5m: 0, written1h: 0, read: 0 });
    expect(run.models[1]!.dollars).toBeCloseTo(0.041245, 12); // 8249 × $5/M
  });

  it('(b) headroom: the log shrinks and every turn still reads the whole previous request', async () => {
    const s = session(trajectory());
    const sent = await headroomTurns(s, false);
    const logText = (turn: Sent): string => {
      const content = turn.request.messages[4]!.content;
      const first = typeof content === 'string' ? { text: content } : content[0];
      return first !== undefined && 'text' in first && typeof first.text === 'string' ? first.text : '';
    };
    const compressed = logText(sent[2]!);
    const c = countTokens(compressed);
    expect(c).toBeLessThan(2159 / 4);
    expect(logText(sent[3]!)).toBe(compressed);
    expect(sent.map((t) => t.ms).every((ms) => typeof ms === 'number')).toBe(true);
    const run = billSession(s, sent, 'headroom');
    const turn3 = 1662 + 53 + 3 + c;
    expect(run.tokens).toBe(1306 + 1662 + turn3 + turn3 + 256);
    const written = 1306 + 356 + (56 + c) + 256;
    const read = 1306 + 1662 + turn3;
    expect(run.models[0]!.bill).toEqual({ uncached: 0, written5m: written, written1h: 0, read });
    expect(run.models[0]!.dollars).toBeCloseTo(((written * 1.25 + read * 0.1) * 3) / 1e6, 12);
    // No request reaches Opus 4.6's 4096 tokens any more: all uncached.
    expect(run.models[1]!.bill).toEqual({ uncached: run.tokens, written5m: 0, written1h: 0, read: 0 });
    expect(dollars(run.models[0]!.bill, sonnet)).toBeLessThan(billSession(s, uncompressedTurns(s), 'none').models[0]!.dollars);
    expect(opus.minCacheableTokens).toBe(4096);
  });
});

describe('(b) and (c) send what withHeadroom sends', () => {
  const server = new MockAnthropic();
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('for every turn of a function-calling session with a dated system prompt', async () => {
    const system = `Today is 2026-12-04.\n${words(1200, 'a')}`;
    const s = session(
      JSON.stringify({
        replay_config: { agent: { tools: { command_docs: 'bash:\n  docstring: runs a command\n  arguments:\n    - command (string) [required]: the command\n' } } },
        history: [
          { role: 'system', content: system },
          { role: 'user', content: 'Why do the workers stall?' },
          { role: 'assistant', content: 'Reading the log.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"cat app.log"}' } }] },
          { role: 'tool', content: LOG, tool_call_ids: ['c1'] },
          { role: 'assistant', content: 'Only heartbeats.', tool_calls: [{ id: 'c2', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
          { role: 'tool', content: 'app.log\nworker.py', tool_call_ids: ['c2'] },
          { role: 'assistant', content: 'Nothing stalls.' },
        ],
      }),
    );
    for (const moveDynamicToTail of [false, true]) {
      server.requests.length = 0;
      // The bench compresses without a store: the wrapper's retrieval (on by default) is turned off to match.
      const client = withHeadroom(new Anthropic({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 }), { cacheBreakpoints: 'auto', moveDynamicToTail, retrieval: false });
      for (const turn of s.turns) {
        await client.messages.create({
          model: 'claude-sonnet-4-5-20250929',
          max_tokens: 256,
          system: s.system!,
          tools: s.tools,
          messages: openAIToAnthropic(s.history.slice(0, turn.end)) as Anthropic.MessageParam[],
        });
      }
      const wire = server.to('/v1/messages').map((r) => {
        const body = r.body as { system: unknown; tools: unknown; messages: unknown };
        return { tools: body.tools, system: body.system, messages: body.messages };
      });
      const bench = (await headroomTurns(s, moveDynamicToTail)).map((t) => JSON.parse(JSON.stringify(t.request)) as unknown);
      expect(bench).toEqual(wire);
      const sent = wire[1] as { system: { text: string }[]; messages: { content: { content?: string }[] }[] };
      expect(sent.messages[2]!.content[0]!.content!.length).toBeLessThan(LOG.length / 4); // the log went out compressed
      expect(sent.system.at(-1)!.text).toBe(moveDynamicToTail ? 'Today is 2026-12-04.' : system);
    }
  });
});

describe('with retrieval on, the wrapper keeps every turn’s request a byte-identical prefix of the next', () => {
  const server = new MockAnthropic();
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  type Wire = { raw: string; body: { system: unknown; tools: unknown[]; messages: unknown[] } };
  /**
   * The request as the model reads it, without cache_control markers: the breakpoint on the last
   * message moves every turn (turning string content into one text block to carry it), while the
   * content it marks stays.
   */
  const unmarked = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(unmarked) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'cache_control').map(([k, x]) => [k, unmarked(x)])) : v;
  const json = (v: unknown): string => JSON.stringify(unmarked(v));
  const messagesJson = (messages: unknown[]): string =>
    json(messages.map((m) => (typeof (m as { content?: unknown }).content === 'string' ? { ...(m as object), content: [{ type: 'text', text: (m as { content: string }).content }] } : m)));

  it.each([
    ['plain', {}],
    ['with cache breakpoints and the dynamic system tail', { cacheBreakpoints: 'auto' as const, moveDynamicToTail: true }],
  ])('through the real SDK, the tool and the keys included (%s)', async (_name, options) => {
    const s = session(
      JSON.stringify({
        replay_config: { agent: { tools: { command_docs: 'bash:\n  docstring: runs a command\n  arguments:\n    - command (string) [required]: the command\n' } } },
        history: [
          { role: 'system', content: `Today is 2026-12-04.\n${words(1200, 'a')}` },
          { role: 'user', content: 'Why do the workers stall?' },
          { role: 'assistant', content: 'Reading the log.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"cat app.log"}' } }] },
          { role: 'tool', content: LOG, tool_call_ids: ['c1'] },
          { role: 'assistant', content: 'Only heartbeats.', tool_calls: [{ id: 'c2', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
          { role: 'tool', content: 'app.log\naccess.log', tool_call_ids: ['c2'] },
          { role: 'assistant', content: 'Reading the access log.', tool_calls: [{ id: 'c3', type: 'function', function: { name: 'bash', arguments: '{"command":"cat access.log"}' } }] },
          { role: 'tool', content: ACCESS, tool_call_ids: ['c3'] },
          { role: 'assistant', content: 'Nothing stalls.' },
        ],
      }),
    );
    expect(s.turns).toHaveLength(4);
    server.requests.length = 0;
    // The model reads the first key it is shown once, so a turn also carries a retrieval round.
    let asked = false;
    server.respond = (body) => {
      const key = markerKeys(JSON.stringify(body).replaceAll('\\n', '\n'))[0];
      if (asked || key === undefined) return undefined;
      asked = true;
      return [{ type: 'tool_use', id: 'toolu_read', name: 'headroom_retrieve', input: { key } }];
    };
    const client = new HeadroomClient(new Anthropic({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 }), options);
    const turns: Wire[] = [];
    for (const turn of s.turns) {
      const before = server.to('/v1/messages').length;
      await client.messages.create({
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 256,
        system: s.system!,
        tools: s.tools,
        messages: openAIToAnthropic(s.history.slice(0, turn.end)) as Anthropic.MessageParam[],
      });
      // The caller's request is the turn's first; the rest are the wrapper's retrieval rounds.
      turns.push(server.to('/v1/messages')[before] as unknown as Wire);
    }
    expect(client.stats().retrievalRounds).toBe(1);
    const keysOf = (w: Wire): string[] => markerKeys(JSON.stringify(w.body.messages).replaceAll('\\n', '\n'));
    // Turn 1 has no marker; turn 2 names the log's key; turn 4 names the access log's as well.
    expect(turns.map((w) => keysOf(w).length)).toEqual([0, 1, 1, 2]);
    expect(keysOf(turns[3]!)[0]).toBe(keysOf(turns[1]!)[0]);
    const withTool = [...s.tools, retrievalTool('anthropic')];
    expect(turns.map((w) => unmarked(w.body.tools))).toEqual([s.tools, withTool, withTool, withTool]);
    for (let t = 1; t < turns.length; t++) {
      const [a, b] = [turns[t - 1]!.body, turns[t]!.body];
      expect(json(b.system)).toBe(json(a.system));
      expect(messagesJson(b.messages.slice(0, a.messages.length))).toBe(messagesJson(a.messages));
      // Tools change once: headroom_retrieve joins at the end of the list when the first key goes out.
      if (t === 1) expect(json(b.tools.slice(0, a.tools.length))).toBe(json(a.tools));
      else expect(json(b.tools)).toBe(json(a.tools));
    }
    // Without breakpoints the bytes themselves: each request, up to the end of its last message,
    // begins the next one (the tool's first turn aside, whose tools list grew).
    if (!('cacheBreakpoints' in options)) {
      for (let t = 2; t < turns.length; t++) {
        const previous = turns[t - 1]!.raw;
        expect(previous.endsWith(']}')).toBe(true);
        expect(turns[t]!.raw.startsWith(previous.slice(0, -2))).toBe(true);
      }
    }
  });
});

describe.skipIf(!existsSync(corpusRoot()))('on the corpus', () => {
  it('replays every trajectory and bills every token of every turn', async () => {
    const entries = sessionEntries(loadCorpus().entries, false);
    const section = await benchSessions(entries, { tick: () => undefined }, { install: false });
    expect(section.skipped).toEqual([]);
    expect(section.rows.map((r) => r.name)).toEqual(entries.map((e) => e.name));
    for (const row of section.rows) {
      const none = row.runs.find((r) => r.strategy === 'none')!;
      for (const run of row.runs) {
        for (const m of run.models) expect(m.bill.uncached + m.bill.written5m + m.bill.written1h + m.bill.read).toBe(run.tokens);
        expect(run.models[0]!.cumulative).toHaveLength(row.turns);
        if (run.strategy === 'headroom') expect(run.tokens).toBeLessThanOrEqual(none.tokens);
      }
    }
    const totals = sessionTotals(section);
    expect(totals.map((t) => t.strategy)).toEqual(expect.arrayContaining(['none', 'headroom', 'headroom-tail', 'last-n']));
  });
});
