// Counting a conversation's tokens, by a documented convention (an estimate: neither API publishes
// how it frames messages). Every text is counted exactly with one encoding, in one batch:
// - each message costs MESSAGE_OVERHEAD tokens plus its content; a request adds REQUEST_OVERHEAD;
// - text (string content, text blocks and parts, thinking, refusals) counts as its text;
// - tool_use / tool calls: BLOCK_OVERHEAD + name + input JSON (OpenAI: the `arguments` text);
// - tool_result: BLOCK_OVERHEAD + its content (text, or its blocks by these rules);
// - images by their own estimate (media.ts: pixel size by Claude's or OpenAI's rule), PDFs by
//   pages × PDF_PAGE_TOKENS, text documents by their text — never base64 as text;
// - redacted_thinking: its payload length / 4; audio: its base64 length / 400;
// - search results: BLOCK_OVERHEAD + source, title and text; anything else: BLOCK_OVERHEAD + its JSON.
// Replacing a text with one of fewer tokens therefore lowers the total by exactly the difference.

import type { EncodingName } from '../engine/types.js';
import { claudeImageTokens, imageSize, openAIImageTokens, pdfPages, PDF_PAGE_TOKENS } from './media.js';
import type { MemoAccess } from './memo.js';
import { isObj, jsonText, type MessageFormat, type Obj } from './types.js';

export const MESSAGE_OVERHEAD = 3;
export const REQUEST_OVERHEAD = 3;
export const BLOCK_OVERHEAD = 3;

/** Exact counts of texts in the conversation's encoding. */
export type TextCounter = (texts: readonly string[]) => number[];

/** Fixed estimates (images, PDFs) are cached in the memo under these names: decoding is not free. */
interface Estimates {
  memo: MemoAccess;
}

/** What one message costs: the texts to count, plus fixed estimates. */
interface Tally {
  texts: string[];
  fixed: number;
}

/** The token count of each message, all texts counted in one call to `counter`. */
export function messageCounts(messages: readonly unknown[], format: MessageFormat, counter: TextCounter, memo: MemoAccess): number[] {
  const estimates: Estimates = { memo };
  const tallies = messages.map((m) => tallyMessage(m, format, estimates));
  const counts = counter(tallies.flatMap((t) => t.texts));
  let next = 0;
  return tallies.map((t) => {
    let total = t.fixed;
    for (let k = 0; k < t.texts.length; k++) total += counts[next++]!;
    return total;
  });
}

function tallyMessage(m: unknown, format: MessageFormat, estimates: Estimates): Tally {
  const tally: Tally = { texts: [], fixed: MESSAGE_OVERHEAD };
  if (!isObj(m)) {
    tally.texts.push(jsonText(m));
    return tally;
  }
  const content = m['content'];
  if (typeof content === 'string') tally.texts.push(content);
  else if (Array.isArray(content)) {
    for (const b of content) {
      if (format === 'anthropic') tallyAnthropicBlock(b, tally, estimates);
      else tallyOpenAIPart(b, tally, estimates);
    }
  } else if (content !== undefined && content !== null) tally.texts.push(jsonText(content));
  if (format === 'openai') {
    if (typeof m['name'] === 'string') tally.texts.push(m['name']);
    const calls = m['tool_calls'];
    if (Array.isArray(calls)) {
      for (const c of calls) {
        const fn = isObj(c) ? c['function'] : undefined;
        tally.fixed += BLOCK_OVERHEAD;
        if (isObj(fn) && typeof fn['name'] === 'string' && typeof fn['arguments'] === 'string') tally.texts.push(fn['name'], fn['arguments']);
        else tally.texts.push(jsonText(c));
      }
    }
    const legacy = m['function_call'];
    if (legacy !== undefined) tally.texts.push(jsonText(legacy));
  }
  return tally;
}

function tallyAnthropicBlock(block: unknown, tally: Tally, estimates: Estimates): void {
  // Blocks nest at most a few levels by the API's own shapes (tool_result → document → content);
  // a stack keeps even a malformed deep input from recursing.
  const stack: unknown[] = [block];
  while (stack.length > 0) {
    const b = stack.pop();
    if (!isObj(b)) {
      tally.texts.push(typeof b === 'string' ? b : jsonText(b));
      continue;
    }
    switch (b['type']) {
      case 'text':
        tally.texts.push(textOf(b, 'text', b));
        break;
      case 'thinking':
        tally.texts.push(textOf(b, 'thinking', b));
        break;
      case 'redacted_thinking':
        tally.fixed += typeof b['data'] === 'string' ? Math.ceil(b['data'].length / 4) : 0;
        break;
      case 'tool_use':
      case 'server_tool_use':
      case 'mcp_tool_use':
        tally.fixed += BLOCK_OVERHEAD;
        tally.texts.push(textOf(b, 'name', ''), jsonText(b['input']));
        break;
      case 'tool_result': {
        tally.fixed += BLOCK_OVERHEAD;
        const content = b['content'];
        if (typeof content === 'string') tally.texts.push(content);
        else if (Array.isArray(content)) for (let k = content.length - 1; k >= 0; k--) stack.push(content[k]);
        break;
      }
      case 'image':
        tally.fixed += anthropicImage(b['source'], estimates);
        break;
      case 'document': {
        tally.fixed += BLOCK_OVERHEAD;
        if (typeof b['title'] === 'string') tally.texts.push(b['title']);
        if (typeof b['context'] === 'string') tally.texts.push(b['context']);
        const source = b['source'];
        if (isObj(source) && source['type'] === 'text' && typeof source['data'] === 'string') tally.texts.push(source['data']);
        else if (isObj(source) && source['type'] === 'content' && Array.isArray(source['content'])) {
          const inner = source['content'];
          for (let k = inner.length - 1; k >= 0; k--) stack.push(inner[k]);
        } else if (isObj(source) && source['type'] === 'base64' && typeof source['data'] === 'string') {
          tally.fixed += pdf(source['data'], estimates);
        } else tally.fixed += PDF_PAGE_TOKENS;
        break;
      }
      case 'search_result': {
        tally.fixed += BLOCK_OVERHEAD;
        tally.texts.push(textOf(b, 'source', ''), textOf(b, 'title', ''));
        const content = b['content'];
        if (Array.isArray(content)) for (let k = content.length - 1; k >= 0; k--) stack.push(content[k]);
        break;
      }
      default:
        tally.fixed += BLOCK_OVERHEAD;
        tally.texts.push(jsonText(b));
    }
  }
}

function tallyOpenAIPart(part: unknown, tally: Tally, estimates: Estimates): void {
  if (!isObj(part)) {
    tally.texts.push(typeof part === 'string' ? part : jsonText(part));
    return;
  }
  switch (part['type']) {
    case 'text':
      tally.texts.push(textOf(part, 'text', part));
      return;
    case 'refusal':
      tally.texts.push(textOf(part, 'refusal', part));
      return;
    case 'image_url': {
      const image = part['image_url'];
      const url = isObj(image) && typeof image['url'] === 'string' ? image['url'] : '';
      const detail = isObj(image) ? image['detail'] : undefined;
      const data = base64Of(url);
      tally.fixed += data === undefined ? openAIImageTokens(undefined, detail) : cached(estimates, data, `openai-image:${String(detail)}`, () => openAIImageTokens(imageSize(data), detail));
      return;
    }
    case 'file': {
      const file = part['file'];
      const data = isObj(file) && typeof file['file_data'] === 'string' ? base64Of(file['file_data']) : undefined;
      tally.fixed += BLOCK_OVERHEAD + (data === undefined ? PDF_PAGE_TOKENS : pdf(data, estimates));
      return;
    }
    case 'input_audio': {
      const audio = part['input_audio'];
      const data = isObj(audio) && typeof audio['data'] === 'string' ? audio['data'] : '';
      tally.fixed += BLOCK_OVERHEAD + Math.ceil(data.length / 400);
      return;
    }
    default:
      tally.fixed += BLOCK_OVERHEAD;
      tally.texts.push(jsonText(part));
  }
}

function anthropicImage(source: unknown, estimates: Estimates): number {
  if (!isObj(source) || source['type'] !== 'base64' || typeof source['data'] !== 'string') return claudeImageTokens(undefined);
  const data = source['data'];
  return cached(estimates, data, 'claude-image', () => claudeImageTokens(imageSize(data)));
}

function pdf(data: string, estimates: Estimates): number {
  return cached(estimates, data, 'pdf', () => pdfPages(data) * PDF_PAGE_TOKENS);
}

function cached(estimates: Estimates, data: string, name: string, compute: () => number): number {
  const known = estimates.memo.number(data, name);
  if (known !== undefined) return known;
  const value = compute();
  estimates.memo.setNumber(data, name, value);
  return value;
}

/** The base64 payload of a `data:…;base64,` URL. */
function base64Of(url: string): string | undefined {
  if (!url.startsWith('data:')) return undefined;
  const at = url.indexOf(';base64,');
  return at < 0 ? undefined : url.slice(at + 8);
}

function textOf(b: Obj, field: string, fallback: unknown): string {
  const value = b[field];
  return typeof value === 'string' ? value : typeof fallback === 'string' ? fallback : jsonText(fallback);
}

/** The texts `messageCounts` counts: what a driver may count ahead, off the calling thread. */
export function messageTexts(messages: readonly unknown[], format: MessageFormat, memo: MemoAccess): string[] {
  const estimates: Estimates = { memo };
  return messages.flatMap((m) => tallyMessage(m, format, estimates).texts);
}

/** The distinct texts of `texts` whose counts neither `known` nor the memo holds. */
export function uncounted(texts: readonly string[], encoding: EncodingName, memo: MemoAccess, known: ReadonlyMap<string, number>): string[] {
  const missing = new Set<string>();
  for (const t of texts) {
    if (!known.has(t) && !missing.has(t) && (t.length < MEMO_COUNT_MIN || memo.number(t, encoding) === undefined)) missing.add(t);
  }
  return [...missing];
}

/** Records counts made ahead: in `known` for this call, in the memo for long texts. */
export function recordCounts(texts: readonly string[], counts: readonly number[], encoding: EncodingName, memo: MemoAccess, known: Map<string, number>): void {
  texts.forEach((t, k) => {
    const n = counts[k]!;
    known.set(t, n);
    if (t.length >= MEMO_COUNT_MIN) memo.setNumber(t, encoding, n);
  });
}

/** A counter over `count` with per-call and memoised caches (long texts only: short ones are cheap to recount). */
export function memoCounter(
  count: (texts: readonly string[]) => number[],
  encoding: EncodingName,
  memo: MemoAccess,
  known: Map<string, number>,
): TextCounter {
  return (texts) => {
    const out = new Array<number>(texts.length);
    const missing = new Map<string, number[]>();
    texts.forEach((t, i) => {
      const n = known.get(t) ?? (t.length >= MEMO_COUNT_MIN ? memo.number(t, encoding) : undefined);
      if (n !== undefined) out[i] = n;
      else {
        const at = missing.get(t);
        if (at === undefined) missing.set(t, [i]);
        else at.push(i);
      }
    });
    if (missing.size > 0) {
      const unique = [...missing.keys()];
      recordCounts(unique, count(unique), encoding, memo, known);
      for (const [t, at] of missing) for (const i of at) out[i] = known.get(t)!;
    }
    return out;
  };
}

/** Texts shorter than this are recounted rather than remembered. */
const MEMO_COUNT_MIN = 256;
