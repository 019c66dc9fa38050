// Answering headroom_retrieve calls from a store: pages that glue back into the original byte for
// byte, queries by line (with line numbers) and by JSON item (with paths), bounds on every answer,
// and a plain answer, never an exception, for a bad call, an unknown key or a store that fails.
import { describe, expect, it } from 'vitest';
import { PAGE_CHARS, readOriginal, retrieve, ROW_CHARS, type RetrievalCall } from '../../src/retrieval/answer.js';
import { encodeRecord, retrievalKey } from '../../src/retrieval/key.js';
import { retrievalTool } from '../../src/retrieval/tool.js';
import { MemoryStore, type Store } from '../../src/retrieval/store.js';
import type { BlockKind } from '../../src/engine/types.js';
import { readWhole } from '../support/retrieval.js';

async function stored(content: string, kind: BlockKind = 'log'): Promise<{ store: MemoryStore; key: string; ask: (call: RetrievalCall) => ReturnType<typeof retrieve> }> {
  const store = new MemoryStore();
  const key = retrievalKey(content, 'test');
  await store.set(key, encodeRecord({ kind, content }), 60_000);
  return { store, key, ask: (call) => retrieve(store, call) };
}

const logLines = (n: number): string[] => Array.from({ length: n }, (_, i) => `2024-05-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} ${i % 97 === 5 ? 'ERROR' : 'INFO'} worker-${i % 4} step ${i} done`);

describe('pages', () => {
  it('glue back into the original, byte for byte, whatever the line endings', async () => {
    const originals = [
      logLines(1000).join('\n') + '\n',
      logLines(450).join('\r\n'),
      logLines(300).join('\r') + '\r\n\n\n',
      'one line, no newline',
      '\n\n\nstarts blank',
    ];
    for (const original of originals) {
      const { key, ask } = await stored(original);
      for (const limit of [undefined, 1, 7, 1000]) {
        const whole = await readWhole((input) => ask(input), key, limit);
        expect(whole.text).toBe(original);
      }
    }
  });

  it('say how many lines remain and where the next page starts', async () => {
    const { key, ask } = await stored(logLines(1000).join('\n') + '\n');
    const first = await ask({ key });
    const lines = first.text.split('\n');
    expect(lines.at(-1)).toBe(`[… 800 more lines (201–1000 of 1000): headroom_retrieve key=${key} offset=200 …]`);
    // The page is the first 200 lines, then a blank line and the tail.
    expect(lines.slice(0, 200)).toEqual(logLines(200));
    expect(lines[200]).toBe('');
    const middle = await ask({ key, offset: 990, limit: 5 });
    expect(middle.text.split('\n').slice(0, 5)).toEqual(logLines(995).slice(990));
    const last = await ask({ key, offset: 995 });
    expect(last.text).toBe(logLines(1000).slice(995).join('\n') + '\n');
  });

  it('are bounded in characters, and a line longer than a row counts once per row', async () => {
    const long = 'x'.repeat(ROW_CHARS * 2 + 17);
    const emoji = '🙂'.repeat(ROW_CHARS); // surrogate pairs must never be split
    const original = `${long}\nshort\n${emoji}\n${'y'.repeat(300)}\n`.repeat(20);
    const { key, ask } = await stored(original);
    const first = await ask({ key, limit: 1000 });
    expect(first.text.length).toBeLessThanOrEqual(PAGE_CHARS + 200);
    const firstLine = first.text.split('\n')[0]!;
    expect(firstLine.length).toBeLessThanOrEqual(ROW_CHARS * 6);
    const whole = await readWhole((input) => ask(input), key);
    expect(whole.text).toBe(original);
    expect(whole.pages).toBeGreaterThan(original.length / PAGE_CHARS);
    const second = await ask({ key, offset: 1, limit: 1 });
    expect(second.text.startsWith('x'.repeat(ROW_CHARS))).toBe(true);
    for (let offset = 0; offset < 14; offset++) {
      const a = await ask({ key, offset, limit: 1 });
      expect(a.text.isWellFormed()).toBe(true);
    }
  });

  it('past the end: says how many lines the block has', async () => {
    const { key, ask } = await stored('a\nb\n');
    const a = await ask({ key, offset: 2 });
    expect(a.status).toBe('invalid');
    expect(a.text).toBe(`Block ${key} has 2 lines; offset=2 is past its end.`);
  });
});

describe('queries', () => {
  it('return the matching lines with their 1-based numbers; every word must match, a|b either', async () => {
    const lines = logLines(1000);
    const { key, ask } = await stored(lines.join('\n') + '\n');
    const errors = await ask({ key, query: 'error' });
    const expected = lines.flatMap((l, i) => (l.includes('ERROR') ? [`${i + 1}: ${l}`] : []));
    expect(errors.text.split('\n')).toEqual([`${expected.length} of 1000 lines in block ${key} match "error":`, ...expected]);
    const both = await ask({ key, query: 'ERROR worker-2' });
    expect(both.text.split('\n').slice(1)).toEqual(expected.filter((l) => l.includes('worker-2')));
    const either = await ask({ key, query: 'step|nothing 999' });
    expect(either.text.split('\n').slice(1)).toEqual(['1000: ' + lines[999]]);
    const none = await ask({ key, query: 'panic' });
    expect(none.text).toBe(`No line of block ${key} (1000 lines) matches "panic".`);
  });

  it('page through matches with offset and limit', async () => {
    const lines = logLines(1000);
    const { key, ask } = await stored(lines.join('\n'));
    const first = await ask({ key, query: 'worker-1', limit: 10 });
    const all = lines.flatMap((l, i) => (l.includes('worker-1') ? [`${i + 1}: ${l}`] : []));
    const out = first.text.split('\n');
    expect(out.slice(1, 11)).toEqual(all.slice(0, 10));
    expect(out[11]).toBe(`[… ${all.length - 10} more matches: headroom_retrieve key=${key} query="worker-1" offset=10 …]`);
    const next = await ask({ key, query: 'worker-1', offset: 10, limit: 10 });
    expect(next.text.split('\n').slice(1, 11)).toEqual(all.slice(10, 20));
    const past = await ask({ key, query: 'worker-1', offset: 5000 });
    expect(past.text.split('\n')[1]).toBe(`[… offset=5000 is past the last of ${all.length} matches …]`);
  });

  it('number lines by universal newlines and cut a very long matching line, saying how to read it', async () => {
    const original = `first\r\nsecond ERROR\rthird\n${'ERROR '.repeat(1000)}\nlast`;
    const { key, ask } = await stored(original);
    const a = await ask({ key, query: 'error' });
    const out = a.text.split('\n');
    expect(out[1]).toBe('2: second ERROR');
    expect(out[2]!.startsWith('4: ERROR ERROR')).toBe(true);
    expect(out[2]).toContain(`[… cut: 6000 characters in full; read it with key=${key} offset=3 limit=1 …]`);
  });

  it('in a JSON block, return the matching array items with their paths, values as written', async () => {
    const records = Array.from({ length: 120 }, (_, i) => `    {"id": 9007199254740993, "n": ${i}, "plan": "${['free', 'team', 'enterprise'][i % 3]}", "created": "202${i % 4}-01-0${1 + (i % 9)}", "ratio": 1.0}`);
    const original = `{\n  "data": {\n   "accounts": [\n${records.join(',\n')}\n   ]\n  },\n  "next": null\n}\n`;
    const { key, ask } = await stored(original, 'json');
    const a = await ask({ key, query: 'team 2022', limit: 1000 });
    const expected = records.flatMap((r, i) => (r.includes('"team"') && r.includes('2022') ? [`$.data.accounts[${i}] ${r.trim().replace(/": /g, '":').replace(/, "/g, ',"')}`] : []));
    expect(expected.length).toBeGreaterThan(3);
    expect(a.text.split('\n')).toEqual([`${expected.length} of 120 items in block ${key} match "team 2022":`, ...expected]);
    // 20-digit ids and 1.0 are the original text, not a re-printed number.
    expect(a.text).toContain('"id":9007199254740993');
    expect(a.text).toContain('"ratio":1.0');
  });

  it('look into the records of a large item instead of returning it whole', async () => {
    const exchanges = Array.from({ length: 3 }, (_, e) => ({
      path: `/repos/${e}`,
      response: Array.from({ length: 60 }, (_, i) => ({ number: e * 100 + i, state: i % 10 === 3 ? 'closed' : 'open', title: `issue ${i} of repo ${e}` })),
    }));
    const { key, ask } = await stored(JSON.stringify(exchanges), 'json');
    const a = await ask({ key, query: 'closed' });
    const out = a.text.split('\n');
    expect(out[0]).toBe(`18 of 180 items in block ${key} match "closed":`);
    expect(out[1]).toBe('$[0].response[3] {"number":3,"state":"closed","title":"issue 3 of repo 0"}');
  });

  it('fall back to lines when a JSON block holds no array', async () => {
    const original = JSON.stringify({ a: 'x'.repeat(10), b: { c: 'needle' } }, null, 2);
    const { key, ask } = await stored(original, 'json');
    const a = await ask({ key, query: 'needle' });
    expect(a.text.split('\n')).toEqual([`1 of 6 lines in block ${key} matches "needle":`, '4:     "c": "needle"']);
  });

  it('stay bounded however many matches there are', async () => {
    const { key, ask } = await stored(Array.from({ length: 5000 }, (_, i) => `match ${'z'.repeat(300)} ${i}`).join('\n'));
    const a = await ask({ key, query: 'match', limit: 1000 });
    expect(a.text.length).toBeLessThanOrEqual(PAGE_CHARS + 2000);
    expect(a.text.split('\n').at(-1)).toMatch(/^\[… \d+ more matches: .* offset=\d+ …\]$/);
  });
});

describe('calls', () => {
  it('answer a tool_use block with its tool_result and an OpenAI tool call with its tool message', async () => {
    const { key, ask } = await stored('a\nb\n');
    const anthropic = await ask({ type: 'tool_use', id: 'toolu_1', name: 'headroom_retrieve', input: { key } });
    expect(anthropic.reply).toEqual({ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a\nb\n' });
    const openai = await ask({ id: 'call_1', type: 'function', function: { name: 'headroom_retrieve', arguments: JSON.stringify({ key, query: 'b' }) } });
    expect(openai.reply).toEqual({ role: 'tool', tool_call_id: 'call_1', content: `1 of 2 lines in block ${key} matches "b":\n2: b` });
    // Numbers sent as strings are read as numbers.
    const stringy = await ask({ key, offset: '1' as unknown as number });
    expect(stringy.text).toBe('b\n');
  });

  it('an unknown or expired key gets a plain answer, not an error', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const key = retrievalKey('gone', 's');
    await store.set(key, encodeRecord({ kind: 'log', content: 'gone' }), 1000);
    now = 1000;
    const a = await retrieve(store, { type: 'tool_use', id: 't', name: 'headroom_retrieve', input: { key } });
    expect(a.status).toBe('unknown');
    expect(a.text).toBe(`Nothing is stored under key=${key}: it has expired or was never stored. Work from the compressed block as shown, or run the tool that produced it again.`);
    expect(a.reply).toEqual({ type: 'tool_result', tool_use_id: 't', content: a.text });
    expect((await retrieve(store, { key: 'hr_not-a-key' })).status).toBe('unknown');
  });

  it('bad arguments get an answer that says what is wrong', async () => {
    const { key, ask } = await stored('a\n');
    const cases: [RetrievalCall, string][] = [
      [{} as RetrievalCall, 'key is missing'],
      [{ key, offset: -1 }, 'offset must be a whole number ≥ 0'],
      [{ key, limit: 0 }, 'limit must be a whole number ≥ 1'],
      [{ key, query: 3 } as unknown as RetrievalCall, 'query must be a string'],
      [{ id: 'c', type: 'function', function: { name: 'headroom_retrieve', arguments: '{not json' } }, 'the arguments are not JSON'],
      [{ type: 'tool_use', id: 't', name: 'other_tool', input: { key } }, 'this answers headroom_retrieve calls, not "other_tool"'],
      ['hr_x' as unknown as RetrievalCall, 'the arguments must be an object'],
    ];
    for (const [call, problem] of cases) {
      const a = await ask(call);
      expect(a.status).toBe('invalid');
      expect(a.text).toContain(problem);
    }
    const bad = await ask({ type: 'tool_use', id: 't', name: 'headroom_retrieve', input: {} });
    expect(bad.reply).toMatchObject({ type: 'tool_result', tool_use_id: 't', is_error: true });
  });

  it('a store that cannot be read gets an answer saying so', async () => {
    const down: Store = {
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
    };
    const key = retrievalKey('x', 's');
    const a = await retrieve(down, { key });
    expect(a.status).toBe('unavailable');
    expect(a.text).toContain('connection refused');
  });
});

describe('readOriginal', () => {
  it('gives the whole original under a key, undefined for a key the store does not hold', async () => {
    const original = logLines(3000).join('\r\n');
    const { store, key } = await stored(original);
    expect(await readOriginal(store, key)).toBe(original);
    expect(await readOriginal(store, retrievalKey('other', 's'))).toBeUndefined();
    expect(await readOriginal(store, '../etc/passwd')).toBeUndefined();
  });
});

describe('the tool definition', () => {
  it('is the same bytes on every call, in both formats, naming the same schema', () => {
    expect(JSON.stringify(retrievalTool('anthropic'))).toBe(JSON.stringify(retrievalTool('anthropic')));
    const a = retrievalTool('anthropic');
    const o = retrievalTool('openai');
    expect(a.name).toBe('headroom_retrieve');
    expect(o.function.name).toBe('headroom_retrieve');
    expect(o.function.parameters).toEqual(a.input_schema);
    expect(a.input_schema.required).toEqual(['key']);
    expect(Object.keys(a.input_schema.properties)).toEqual(['key', 'query', 'offset', 'limit']);
  });
});
