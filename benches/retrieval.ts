// What reversible compression costs the model: the tokens the retrieval notes add to lossy
// blocks, per kind, and the tool definition a request carries when a marker names a key. Each
// input is compressed as one tool result by compress() with and without a MemoryStore (default
// options); every key's original is read back page by page and compared byte for byte. The
// alternative of naming the key on every marker (not only a block's first) is priced alongside.
import { compressWith } from '../src/compress.js';
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';
import type { Engine } from '../src/engine/types.js';
import { Memo } from '../src/messages/memo.js';
import type { AnthropicMessage } from '../src/messages/types.js';
import { MemoryStore } from '../src/retrieval/store.js';
import { retrievalTool } from '../src/retrieval/tool.js';
import { read, type CorpusEntry } from './corpus.js';
import { samples as logSamples } from './logs.js';
import type { Progress } from './timing.js';

export interface RetrievalRow {
  kind: string;
  inputs: number;
  /** Blocks compressed lossily, and of those, the ones whose markers name a key. */
  lossy: number;
  retrievable: number;
  /** Markers in the retrievable blocks. */
  markers: number;
  /** Tokens of the retrievable blocks without a store, and with their notes. */
  plainTokens: number;
  annotatedTokens: number;
  /** Tokens the notes would add were the key named on every marker. */
  everyMarkerTokens: number;
  /** Retrievable blocks whose original came back byte for byte. */
  roundTrips: number;
}

export interface RetrievalSection {
  rows: RetrievalRow[];
  /** Tokens of the tool definition (o200k_base, as JSON), per format. */
  toolTokens: { anthropic: number; openai: number };
  engine: 'native' | 'js';
}

const MARKER = /\[… [^\n\r]*? …\]/g;

function conversation(text: string): AnthropicMessage[] {
  return [
    { role: 'user', content: 'Find out what went wrong.' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'run', input: { step: 1 } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: text }] },
  ] as AnthropicMessage[];
}

const toolText = (r: { messages: AnthropicMessage[] }): string => (r.messages[2]!.content as unknown as { content: string }[])[0]!.content;

/** Reads a key back as a model would: page after page. */
async function readBack(retrieve: (input: { key: string; offset: number }) => Promise<{ text: string }>, key: string): Promise<string> {
  let text = '';
  let offset = 0;
  for (let page = 0; page < 100_000; page++) {
    const answer = (await retrieve({ key, offset })).text;
    const tail = /\n(\[… \d+ more lines? \([^\n]*offset=(\d+) …\])$/.exec(answer);
    if (tail === null) return text + answer;
    text += answer.slice(0, answer.length - tail[1]!.length - 1);
    offset = Number(tail[2]);
  }
  return text;
}

export function retrievalSampleCount(entries: readonly CorpusEntry[], quick: boolean): number {
  return inputs(entries, quick).length;
}

function inputs(entries: readonly CorpusEntry[], quick: boolean): { kind: string; content: string }[] {
  const json = entries.filter((e) => e.kind === 'json').slice(0, quick ? 4 : undefined);
  return [...json.map((e) => ({ kind: 'json', content: read(e) })), ...logSamples(entries, quick)];
}

export async function benchRetrieval(entries: readonly CorpusEntry[], progress: Progress, quick: boolean): Promise<RetrievalSection> {
  const native = loadNative();
  const engine: Engine = native.ok ? native.engine : jsEngine;
  const rows = new Map<string, RetrievalRow>();
  for (const input of inputs(entries, quick)) {
    progress.tick(`retrieval: ${input.kind}`);
    const row = rows.get(input.kind) ?? { kind: input.kind, inputs: 0, lossy: 0, retrievable: 0, markers: 0, plainTokens: 0, annotatedTokens: 0, everyMarkerTokens: 0, roundTrips: 0 };
    rows.set(input.kind, row);
    row.inputs++;
    const messages = conversation(input.content);
    const plain = await compressWith({ engine, memo: new Memo() }, messages);
    const stored = await compressWith({ engine, memo: new Memo() }, messages, { store: new MemoryStore() });
    const block = stored.blocks[0];
    if (block === undefined || block.omitted.length === 0) continue;
    row.lossy++;
    const key = block.retrievalKey;
    if (key === undefined) continue;
    row.retrievable++;
    const plainText = toolText(plain);
    const markers = plainText.match(MARKER)?.length ?? 0;
    row.markers += markers;
    row.plainTokens += plain.blocks[0]!.tokensAfter;
    row.annotatedTokens += block.tokensAfter;
    // The alternative: the full note on the first marker, the bare key on every later one.
    let n = 0;
    const every = plainText.replace(MARKER, (m) => `${m.slice(0, -3)}${n++ === 0 ? ` · headroom_retrieve key=${key}` : ` · key=${key}`} …]`);
    row.everyMarkerTokens += engine.countTokens(every, 'o200k_base') - plain.blocks[0]!.tokensAfter;
    if ((await readBack((call) => stored.retrieval!.retrieve(call), key)) === input.content) row.roundTrips++;
  }
  return {
    rows: [...rows.values()],
    toolTokens: {
      anthropic: engine.countTokens(JSON.stringify(retrievalTool('anthropic')), 'o200k_base'),
      openai: engine.countTokens(JSON.stringify(retrievalTool('openai')), 'o200k_base'),
    },
    engine: engine.name,
  };
}

/** Totals over every kind: blocks, tokens added, and the share of the compressed tokens that is. */
export function retrievalTotals(section: RetrievalSection): { retrievable: number; added: number; plain: number; perBlock: number | null; roundTrips: number } {
  const sum = (f: (r: RetrievalRow) => number): number => section.rows.reduce((n, r) => n + f(r), 0);
  const retrievable = sum((r) => r.retrievable);
  const added = sum((r) => r.annotatedTokens - r.plainTokens);
  return { retrievable, added, plain: sum((r) => r.plainTokens), perBlock: retrievable === 0 ? null : added / retrievable, roundTrips: sum((r) => r.roundTrips) };
}

export function formatRetrieval(section: RetrievalSection): string[] {
  const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)} %`);
  const per = (a: number, b: number): string => (b === 0 ? '–' : (a / b).toFixed(1));
  return [
    '## Retrieval markers: the tokens reversible compression adds',
    '',
    `Each input compressed as one tool result by compress() (${section.engine} engine, default options) with and without a MemoryStore. ` +
      'A retrievable block names its key in its first marker (`· headroom_retrieve key=hr_…`); "every marker" prices naming the bare key on each later marker too. ' +
      `Round trip: the original read back page by page equals the input byte for byte. The tool definition adds ${section.toolTokens.anthropic} tokens (Anthropic format; OpenAI ${section.toolTokens.openai}) to a request whose markers name a key.`,
    '',
    '| kind | inputs | lossy blocks | retrievable | markers | tokens without store | with notes | added | added per block | added % | every marker: added per block | round trips |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...section.rows.map((r) => {
      const added = r.annotatedTokens - r.plainTokens;
      return (
        `| ${r.kind} | ${r.inputs} | ${r.lossy} | ${r.retrievable} | ${r.markers} | ${r.plainTokens} | ${r.annotatedTokens} | ${added} | ${per(added, r.retrievable)} | ${pct(added, r.plainTokens)} | ` +
        `${per(r.everyMarkerTokens, r.retrievable)} | ${r.roundTrips}/${r.retrievable} |`
      );
    }),
    '',
  ];
}
