// Reading a retrievable block back as a model would: page after page, following each page's
// `[… N more lines … offset=… …]` tail, and gluing the pages together without their tails.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect } from 'vitest';
import type { RetrievalAnswer, RetrieveInput } from '../../src/retrieval/answer.js';
import { corpusFiles, corpusPath, corpusSample } from './corpus.js';

const TAIL = /\n(\[… (\d+) more lines? \(\d+–\d+ of \d+\): headroom_retrieve key=hr_[a-z2-7]+ offset=(\d+) …\])$/;

/** Every page of `key`, glued; at most 10 000 pages. */
export async function readWhole(
  retrieve: (input: RetrieveInput) => Promise<RetrievalAnswer>,
  key: string,
  limit?: number,
): Promise<{ text: string; pages: number }> {
  let offset = 0;
  let text = '';
  for (let pages = 1; pages <= 10_000; pages++) {
    const answer = await retrieve({ key, offset, ...(limit === undefined ? {} : { limit }) });
    expect(answer.status).toBe('ok');
    const tail = TAIL.exec(answer.text);
    if (tail === null) return { text: text + answer.text, pages };
    text += answer.text.slice(0, answer.text.length - tail[1]!.length - 1);
    const next = Number(tail[3]);
    expect(next).toBeGreaterThan(offset);
    offset = next;
  }
  throw new Error('more than 10 000 pages');
}

/** The keys named in `text`'s markers, in order of appearance. */
export function markerKeys(text: string): string[] {
  return [...text.matchAll(/\[…[^\n]*? · headroom_retrieve key=(hr_[a-z2-7]{16}) …\]/g)].map((m) => m[1]!);
}

// ---- A model that reads every retrievable block back (the wrapper tests' scripted model) ----

/** One `headroom_retrieve` call the model made and the answer it got. */
export interface Exchange {
  key: string;
  offset: number;
  answer: string;
}

const PAGE_TAIL = /\n\[… \d+ more lines? \(\d+–\d+ of \d+\): headroom_retrieve key=hr_[a-z2-7]+ offset=(\d+) …\]$/;

/** The calls to make next: a page of each key the tool outputs name that is not read to its end. */
export function nextPages(toolOutputs: readonly string[], exchanges: readonly Exchange[]): { key: string; offset: number }[] {
  const keys = [...new Set(toolOutputs.flatMap(markerKeys))];
  const out: { key: string; offset: number }[] = [];
  for (const key of keys) {
    const last = exchanges.filter((e) => e.key === key).at(-1);
    if (last === undefined) out.push({ key, offset: 0 });
    else {
      const tail = PAGE_TAIL.exec(last.answer);
      if (tail !== null) out.push({ key, offset: Number(tail[1]) });
    }
  }
  return out;
}

/** A key's pages as the model read them, glued without their tails. */
export function pagesRead(exchanges: readonly Exchange[], key: string): string {
  return exchanges
    .filter((e) => e.key === key)
    .map((e) => e.answer.replace(PAGE_TAIL, ''))
    .join('');
}

type Block = { type: string; id?: string; name?: string; input?: { key?: string; offset?: number }; tool_use_id?: string; content?: unknown; text?: string };
type AnthropicBody = { messages: { role: string; content: string | Block[] }[] };

const blockText = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? (content as Block[]).map((b) => b.text ?? '').join('') : '';

/** What an Anthropic request shows the model: the caller's tool outputs and the retrieval exchanges. */
export function anthropicExchanges(body: unknown): { toolOutputs: string[]; exchanges: Exchange[] } {
  const calls = new Map<string, { key: string; offset: number }>();
  const toolOutputs: string[] = [];
  const exchanges: Exchange[] = [];
  for (const m of (body as AnthropicBody).messages) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) {
      if (b.type === 'tool_use' && b.name === 'headroom_retrieve') calls.set(b.id!, { key: b.input?.key ?? '', offset: b.input?.offset ?? 0 });
      if (b.type === 'tool_result') {
        const call = calls.get(b.tool_use_id!);
        if (call === undefined) toolOutputs.push(blockText(b.content));
        else exchanges.push({ ...call, answer: blockText(b.content) });
      }
    }
  }
  return { toolOutputs, exchanges };
}

/** The next content of a model that reads every block back, page by page; then `done`. */
export function anthropicRetriever(done = 'Read every block.'): (body: unknown, n: number) => unknown[] {
  return (body, n) => {
    const { toolOutputs, exchanges } = anthropicExchanges(body);
    const pages = nextPages(toolOutputs, exchanges);
    if (pages.length === 0) return [{ type: 'text', text: done }];
    return [
      { type: 'text', text: 'Reading what was left out. ' },
      ...pages.map((p, i) => ({ type: 'tool_use', id: `toolu_r${n}_${i}`, name: 'headroom_retrieve', input: p })),
    ];
  };
}

type ChatBody = { messages: { role: string; content?: unknown; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[] };

/** What a chat request shows the model: the caller's tool outputs and the retrieval exchanges. */
export function chatExchanges(body: unknown): { toolOutputs: string[]; exchanges: Exchange[] } {
  const calls = new Map<string, { key: string; offset: number }>();
  const toolOutputs: string[] = [];
  const exchanges: Exchange[] = [];
  for (const m of (body as ChatBody).messages) {
    for (const c of m.tool_calls ?? []) {
      if (c.function.name !== 'headroom_retrieve') continue;
      const input = JSON.parse(c.function.arguments) as { key: string; offset?: number };
      calls.set(c.id, { key: input.key, offset: input.offset ?? 0 });
    }
    if (m.role === 'tool') {
      const call = calls.get(m.tool_call_id!);
      if (call === undefined) toolOutputs.push(blockText(m.content));
      else exchanges.push({ ...call, answer: blockText(m.content) });
    }
  }
  return { toolOutputs, exchanges };
}

/** Tool output of every kind, large enough that lossy selection applies at maxBlockTokens 1000. */
export function retrievalOutputs() {
  const diffs = corpusFiles('diffs', (f) => /\.(patch|diff)$/.test(f)).sort((a, b) => a.localeCompare(b));
  return [
    { kind: 'log', text: corpusSample('ciLog') },
    { kind: 'json', text: corpusSample('records') },
    { kind: 'search', text: grepOutput() },
    { kind: 'diff', text: readFileSync(corpusPath(diffs.at(-1)!), 'utf8') },
  ] as const;
}

/** `grep -rn return src` over this repository's own TypeScript, first 400 hits, in a fixed order. */
function grepOutput(): string {
  const root = resolve(import.meta.dirname, '../..');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, name.name);
      if (name.isDirectory()) walk(p);
      else if (name.name.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(root, 'src', 'engine'));
  const hits: string[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (line.includes('return ')) hits.push(`${relative(root, f)}:${i + 1}:${line}`);
    });
  }
  return hits.slice(0, 400).join('\n') + '\n';
}

/** The chat model that reads every block back, page by page; then `done`. */
export function chatRetriever(done = 'Read every block.'): (body: unknown, n: number) => { text: string } | { calls: { id: string; name: string; arguments: string }[] } {
  return (body, n) => {
    const { toolOutputs, exchanges } = chatExchanges(body);
    const pages = nextPages(toolOutputs, exchanges);
    if (pages.length === 0) return { text: done };
    return { calls: pages.map((p, i) => ({ id: `call_r${n}_${i}`, name: 'headroom_retrieve', arguments: JSON.stringify(p) })) };
  };
}
