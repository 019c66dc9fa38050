// The stable relevance query of each block (PRODUCT §4): the input of the tool call that produced
// it and the human text of the user turn that led to that call. Human text is user text that
// detects as prose or code and holds no omission marker, so it is never headroom's own output:
// compressing a conversation cannot change the queries of its blocks, which keeps compression
// idempotent and prefix-stable. Never the latest user message: that would change every block's
// query on every turn.

import type { BlockKind } from '../engine/types.js';
import { isHumanKind } from './eligibility.js';
import type { BlockSite } from './sites.js';

/** Longest part (tool input, human text) a query takes, in UTF-16 units. */
export const QUERY_PART_MAX = 2000;

/**
 * The query of each site. `kinds[k]` is the detected kind of user site k (undefined for tool
 * output). A tool output's query is its call's input and the human text of the latest user
 * message before the call; a user text block's query is the human text of its own message.
 */
export function siteQueries(messageCount: number, sites: readonly BlockSite[], kinds: readonly (BlockKind | undefined)[]): string[] {
  const human = new Map<number, string>();
  sites.forEach((s, k) => {
    if (s.source !== 'user' || !isHumanKind(kinds[k]) || hasMarkerLine(s.text)) return;
    const previous = human.get(s.message);
    human.set(s.message, previous === undefined ? s.text : `${previous}\n${s.text}`);
  });
  // humanBefore[i]: the human text of the latest user message before message i.
  const humanBefore: string[] = new Array<string>(messageCount + 1);
  let last = '';
  for (let i = 0; i <= messageCount; i++) {
    humanBefore[i] = last;
    last = human.get(i) ?? last;
  }
  return sites.map((s) => {
    if (s.source === 'user') return cap(human.get(s.message) ?? '');
    const turn = cap(humanBefore[s.call?.message ?? s.message] ?? '');
    const input = s.call === undefined ? '' : cap(s.call.input);
    return input === '' ? turn : turn === '' ? input : `${input}\n${turn}`;
  });
}

/** The first `QUERY_PART_MAX` units of `text`, never splitting a surrogate pair. */
function cap(text: string): string {
  if (text.length <= QUERY_PART_MAX) return text;
  const c = text.charCodeAt(QUERY_PART_MAX - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? QUERY_PART_MAX - 1 : QUERY_PART_MAX);
}

/** Whether `text` has a line in the omission-marker form (`[…` … `…]`): headroom's own output. */
function hasMarkerLine(text: string): boolean {
  for (let at = text.indexOf('[…'); at >= 0; at = text.indexOf('[…', at + 2)) {
    if (at > 0 && text[at - 1] !== '\n') continue;
    const end = text.indexOf('\n', at);
    const line = end < 0 ? text.slice(at) : text.slice(at, end);
    if (line.replace(/\r$/, '').endsWith('…]')) return true;
  }
  return false;
}
