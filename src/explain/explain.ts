// `headroom explain`: what compression kept of each block and why, as data for the text report and
// the HTML page. Built from the public result (`blocks`: kind, strategy, token counts, `omitted`)
// and the two texts of each block; where the engine does not say why a line or item stayed, the
// reason is inferred (reasons.ts) and marked so.

import { countTokens, type BlockKind, type CompressResult, type Omission } from '../index.js';
import { alignJson } from './json.js';
import { alignLines, type LineFate } from './lines.js';
import { itemReasons, lineReasons, type Reason } from './reasons.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A line, a run of lines, an item or a run of items of a block's original, and its fate. */
export interface ExplainedUnit {
  /** UTF-16 offsets in the block's original text. */
  start: number;
  end: number;
  /** `line 12`, `lines 13–40`, `$.items[3]`, `$.items[4–9]`. */
  label: string;
  /** `kept` whole; `cut`: a string cut to a prefix; `folded` into a kept line's repeat count; `omitted`. */
  fate: 'kept' | 'cut' | 'folded' | 'omitted';
  /** Why it was kept (inferred). */
  reason?: Reason;
  /** The marker standing where it was dropped. */
  marker?: string;
  /** Tokens of its own text (o200k_base), nested units' tokens excluded. */
  tokens: number;
  /** How many lines or items it covers. */
  count: number;
  /** How many units enclose it (items inside a kept item). */
  depth: number;
}

export type ChartKey = Reason | 'omitted' | 'folded' | 'cut' | 'markers' | 'not mapped';

export interface BlockExplanation {
  messageIndex: number;
  blockIndex: number;
  partIndex?: number;
  kind: BlockKind;
  strategy: string;
  tokensBefore: number;
  tokensAfter: number;
  /** The engine's own account of what it dropped. */
  omitted: Omission[];
  original: string;
  compressed: string;
  /** What the units are: lines, array items, or the whole block (re-encoded, nothing dropped). */
  unit: 'line' | 'item' | 'block';
  /** In document order; item units may nest (a kept item holding a dropped run). */
  units: ExplainedUnit[];
  /** The output's markers, in order, with their token cost. */
  markers: Array<{ text: string; tokens: number }>;
  /** Tokens of the original by what became of them: kept (by reason), folded, cut, omitted; and the markers' cost. */
  chart: Array<{ key: ChartKey; units: number; tokens: number }>;
  /** Honest caveats: what could not be mapped. */
  notes: string[];
}

export interface Explanation {
  /** `raw`: one block of tool output; otherwise the request's format. */
  source: 'raw' | 'anthropic' | 'openai';
  tokensBefore: number;
  tokensAfter: number;
  engine: 'native' | 'js';
  durationMs: number;
  blocks: BlockExplanation[];
}

/** The text of a block (message content, a content block's text, or a tool_result part). */
export function blockText(message: unknown, blockIndex: number, partIndex: number | undefined): string | undefined {
  if (!isObj(message)) return undefined;
  const content = message['content'];
  if (blockIndex < 0) return typeof content === 'string' ? content : undefined;
  const block = Array.isArray(content) ? (content[blockIndex] as unknown) : undefined;
  if (!isObj(block)) return undefined;
  if (block['type'] === 'tool_result') {
    const inner = block['content'];
    if (partIndex === undefined) return typeof inner === 'string' ? inner : undefined;
    const part = Array.isArray(inner) ? (inner[partIndex] as unknown) : undefined;
    return isObj(part) && typeof part['text'] === 'string' ? part['text'] : undefined;
  }
  return typeof block['text'] === 'string' ? block['text'] : undefined;
}

/**
 * The relevance query a block was probably compressed against: `query` when given, else the
 * input of the tool call that produced it and the user text before that call.
 */
function blockQuery(messages: readonly unknown[], messageIndex: number, blockIndex: number, query: string | undefined): string | undefined {
  if (query !== undefined) return query;
  const block = messages[messageIndex];
  const content = isObj(block) ? block['content'] : undefined;
  const target = Array.isArray(content) ? (content[blockIndex] as unknown) : undefined;
  const id = isObj(block) && block['role'] === 'tool' ? block['tool_call_id'] : isObj(target) ? target['tool_use_id'] : undefined;
  const parts: string[] = [];
  for (let i = messageIndex - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObj(m)) continue;
    if (m['role'] === 'assistant' && parts.length === 0) {
      const calls = [...(Array.isArray(m['content']) ? m['content'] : []), ...(Array.isArray(m['tool_calls']) ? m['tool_calls'] : [])];
      for (const c of calls) {
        if (!isObj(c) || c['id'] !== id) continue;
        const fn = c['function'];
        parts.push(isObj(fn) ? String(fn['arguments'] ?? '') : JSON.stringify(c['input'] ?? {}));
      }
    }
    if (m['role'] === 'user' && typeof m['content'] === 'string') {
      parts.push(m['content']);
      break;
    }
    if (m['role'] === 'user' && Array.isArray(m['content'])) {
      const texts = m['content'].filter((b: unknown) => isObj(b) && b['type'] === 'text').map((b) => String((b as Obj)['text']));
      if (texts.length > 0) {
        parts.push(texts.join('\n'));
        break;
      }
    }
  }
  return parts.length === 0 ? undefined : parts.join('\n');
}

/** Explains every compressed block of a result. `messages` are the ones that were compressed. */
export function explain(messages: readonly unknown[], result: CompressResult, source: Explanation['source'], query?: string): Explanation {
  const blocks = result.blocks.map((b) => {
    const original = blockText(messages[b.messageIndex], b.blockIndex, b.partIndex) ?? '';
    const compressed = blockText(result.messages[b.messageIndex], b.blockIndex, b.partIndex) ?? '';
    return explainBlock(b, original, compressed, blockQuery(messages, b.messageIndex, b.blockIndex, query));
  });
  return { source, tokensBefore: result.tokensBefore, tokensAfter: result.tokensAfter, engine: result.engine, durationMs: result.durationMs, blocks };
}

type BlockReport = CompressResult['blocks'][number];

function explainBlock(b: BlockReport, original: string, compressed: string, query: string | undefined): BlockExplanation {
  const head = {
    messageIndex: b.messageIndex,
    blockIndex: b.blockIndex,
    ...(b.partIndex === undefined ? {} : { partIndex: b.partIndex }),
    kind: b.kind,
    strategy: b.strategy,
    tokensBefore: b.tokensBefore,
    tokensAfter: b.tokensAfter,
    omitted: b.omitted,
    original,
    compressed,
  };
  const notes: string[] = [];
  let unit: BlockExplanation['unit'];
  let units: ExplainedUnit[];
  let markers: string[];
  if (b.kind === 'json') {
    const whole = (): ExplainedUnit[] => [{ start: 0, end: original.length, label: '$', fate: 'kept', reason: 'lossless', tokens: 0, count: 1, depth: 0 }];
    if (!b.strategy.includes('select')) {
      [unit, units, markers] = ['block', whole(), []];
    } else {
      const aligned = alignJson(original, compressed);
      if (aligned === undefined) {
        notes.push('the compressed JSON could not be mapped item by item onto the original; only the engine’s own account of what it dropped is shown');
        const block: ExplainedUnit = { start: 0, end: original.length, label: '$', fate: 'kept', tokens: 0, count: 1, depth: 0 };
        [unit, units, markers] = ['block', [block], compressed.split('\n').filter((l) => /^\s*\[….*…\]\s*$/.test(l)).map((l) => l.trim())];
      } else {
        unit = 'item';
        markers = aligned.markers;
        units = itemUnits(aligned, original, query);
      }
    }
  } else {
    const aligned = alignLines(original, compressed, b.kind);
    const lossless = !aligned.lines.some((l) => l.fate === 'omitted');
    unit = 'line';
    markers = aligned.markers.map((m) => m.text);
    units = lineUnits(aligned.lines, lineReasons(aligned.lines, b.kind, query, lossless), aligned.markers.map((m) => m.text));
    if (aligned.unmatched > 0) {
      notes.push(`${aligned.unmatched} output ${aligned.unmatched === 1 ? 'line was' : 'lines were'} re-worded by the compressor and could not be traced to an original line`);
    }
    if (aligned.lines.some((l) => l.fate === 'omitted' && l.marker === undefined)) {
      notes.push('some lines left out have no marker of their own: they are counted in a nearby marker (repeats of kept lines)');
    }
  }
  if (units.some((u) => u.reason !== undefined && u.reason !== 'lossless')) notes.push('reasons are inferred from the kept text: the engine reports what it dropped, not why it kept each line or item');
  countUnits(units, original);
  const markerTokens = markers.length === 0 ? [] : countTokens(markers);
  return {
    ...head,
    unit,
    units,
    markers: markers.map((text, i) => ({ text, tokens: markerTokens[i]! })),
    chart: chart(units, markerTokens),
    notes,
  };
}

/** Lines as units: kept lines one by one, runs of folded or omitted lines (one marker) together. */
function lineUnits(lines: readonly LineFate[], reasons: ReadonlyArray<Reason | undefined>, markers: readonly string[]): ExplainedUnit[] {
  const units: ExplainedUnit[] = [];
  lines.forEach((l, k) => {
    const last = units[units.length - 1];
    const marker = l.marker === undefined ? undefined : markers[l.marker];
    if (l.fate !== 'kept' && last !== undefined && last.fate === l.fate && last.marker === marker) {
      last.end = l.end;
      last.count++;
      last.label = `lines ${k + 1 - last.count + 1}–${k + 1}`;
      return;
    }
    const reason = reasons[k];
    units.push({
      start: l.start,
      end: l.end,
      label: `line ${k + 1}`,
      fate: l.fate,
      ...(reason === undefined ? {} : { reason }),
      ...(marker === undefined ? {} : { marker }),
      tokens: 0,
      count: 1,
      depth: 0,
    });
  });
  return units;
}

/** Items as units: kept items of arrays that lost some (with reasons), dropped runs, cut strings. */
function itemUnits(aligned: NonNullable<ReturnType<typeof alignJson>>, original: string, query: string | undefined): ExplainedUnit[] {
  const units: ExplainedUnit[] = [];
  const keptByArray = new Map<(typeof aligned.kept)[number][0], number[]>();
  for (const [array, i] of aligned.kept) keptByArray.set(array, [...(keptByArray.get(array) ?? []), i]);
  for (const [array, kept] of keptByArray) {
    const reasons = itemReasons(array, kept, original, query);
    const path = array.at;
    for (const i of kept) {
      const item = array.children![i]!;
      units.push({ start: item.start, end: item.end, label: `${path}[${i}]`, fate: 'kept', reason: reasons.get(i)!, tokens: 0, count: 1, depth: 0 });
    }
  }
  for (const run of aligned.omitted) {
    const items = run.array.children!;
    const label = run.to - run.from === 1 ? `${run.array.at}[${run.from}]` : `${run.array.at}[${run.from}–${run.to - 1}]`;
    units.push({
      start: items[run.from]!.start,
      end: items[run.to - 1]!.end,
      label,
      fate: 'omitted',
      ...(run.marker === undefined ? {} : { marker: run.marker }),
      tokens: 0,
      count: run.to - run.from,
      depth: 0,
    });
  }
  for (const node of aligned.cut) units.push({ start: node.start, end: node.end, label: node.at, fate: 'cut', tokens: 0, count: 1, depth: 0 });
  // Document order; an enclosing unit before the ones inside it.
  return units.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Sets each unit's tokens (its own text's, less those of the units nested in it) and depth. */
function countUnits(units: ExplainedUnit[], original: string): void {
  const whole = units.length === 0 ? [] : countTokens(units.map((u) => original.slice(u.start, u.end)));
  const own = [...whole];
  // Units are sorted with parents first: a stack of open ones finds each unit's parent.
  const open: number[] = [];
  units.forEach((u, k) => {
    while (open.length > 0 && units[open[open.length - 1]!]!.end < u.end) open.pop();
    const parent = open[open.length - 1];
    if (parent !== undefined && units[parent]!.start <= u.start && u.end <= units[parent]!.end) own[parent] = own[parent]! - whole[k]!;
    u.depth = open.length;
    open.push(k);
  });
  units.forEach((u, k) => (u.tokens = Math.max(0, own[k]!)));
}

function chart(units: readonly ExplainedUnit[], markerTokens: readonly number[]): BlockExplanation['chart'] {
  const rows = new Map<ChartKey, { units: number; tokens: number }>();
  const add = (key: ChartKey, n: number, tokens: number): void => {
    const row = rows.get(key) ?? { units: 0, tokens: 0 };
    row.units += n;
    row.tokens += tokens;
    rows.set(key, row);
  };
  for (const u of units) {
    if (u.fate === 'kept') add(u.reason ?? 'not mapped', u.count, u.tokens);
    else add(u.fate, u.count, u.tokens);
  }
  if (markerTokens.length > 0) add('markers', markerTokens.length, markerTokens.reduce((a, b) => a + b, 0));
  return [...rows].map(([key, r]) => ({ key, ...r })).sort((a, b) => b.tokens - a.tokens);
}
