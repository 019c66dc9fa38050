// Token counting: headroom native and JS engines against the JS tokenizers people use, in one
// process on the same text. Throughput on long text (the corpus) and per-call cost on 100-byte
// strings, both as ratios against native (crossing into Rust included).
import { Tokenizer } from 'ai-tokenizer';
import * as aiO200k from 'ai-tokenizer/encoding/o200k_base';
import { countTokens as gptCount } from 'gpt-tokenizer/encoding/o200k_base';
import { getEncoding } from 'js-tiktoken';
import { get_encoding } from 'tiktoken';
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';
import { measure, type Progress } from './timing.js';

export interface TokenizerRow {
  name: string;
  longMBps: number;
  longRatio: number;
  shortUs: number;
  shortRatio: number;
  exact: boolean;
}

export interface TokensSection {
  textBytes: number;
  shortStrings: number;
  rows: TokenizerRow[];
  skipped: string[];
}

type Count = (text: string) => number;

export function tokenizers(): { counters: [string, Count][]; skipped: string[] } {
  const counters: [string, Count][] = [];
  const skipped: string[] = [];
  const native = loadNative();
  if (native.ok) counters.push(['headroom native', (t) => native.engine.countTokens(t, 'o200k_base')]);
  else skipped.push(`headroom native: ${native.reason}`);
  counters.push(['headroom JS engine', (t) => jsEngine.countTokens(t, 'o200k_base')]);
  const noSpecial = { disallowedSpecial: new Set<string>() };
  counters.push(['gpt-tokenizer', (t) => gptCount(t, noSpecial)]);
  const ai = new Tokenizer(aiO200k);
  counters.push(['ai-tokenizer', (t) => ai.count(t)]);
  const jst = getEncoding('o200k_base');
  counters.push(['js-tiktoken', (t) => jst.encode(t, [], []).length]);
  const wasm = get_encoding('o200k_base');
  counters.push(['tiktoken (WASM)', (t) => wasm.encode(t, [], []).length]);
  return { counters, skipped };
}

/** 100-byte strings cut from the text at character boundaries. */
function shortStrings(text: string, count: number): string[] {
  const out: string[] = [];
  const step = Math.max(1, Math.floor(text.length / count));
  for (let i = 0; out.length < count && i < text.length; i += step) out.push(text.slice(i, i + 100).toWellFormed());
  return out;
}

export function benchTokens(texts: string[], progress: Progress, budgetMs: number): TokensSection {
  const { counters, skipped } = tokenizers();
  const long = texts.join('\n');
  const bytes = Buffer.byteLength(long);
  const shorts = shortStrings(long, 2000);
  const reference = counters[counters.length - 1]![1];
  const want = reference(long);
  const raw = counters.map(([name, count]) => {
    progress.tick(`tokens: ${name}`);
    const exact = count(long) === want;
    const longMs = measure(() => count(long), budgetMs);
    const shortMs = measure(() => {
      for (const s of shorts) count(s);
    }, budgetMs);
    return { name, exact, longMBps: bytes / 1e6 / (longMs / 1000), shortUs: (shortMs * 1000) / shorts.length };
  });
  const base = raw[0]!;
  return {
    textBytes: bytes,
    shortStrings: shorts.length,
    skipped,
    rows: raw.map((r) => ({ ...r, longRatio: r.longMBps / base.longMBps, shortRatio: r.shortUs / base.shortUs })),
  };
}
