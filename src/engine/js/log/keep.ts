// Lossy selection over folded units (twin of log/keep.rs), used only when the lossless form is
// above `maxBlockTokens`.
//
// Always kept: every distinct error, warning, stack-trace, summary and outlier line (later exact
// repeats, timestamps aside, may go, and the kept one then says how often it occurred), and the
// first and last line. Then, while the budget lasts: the lines around errors and stack traces
// (what follows an error and is indented under it, the gap between two nearby errors, a few
// lines before and after); the distinct query lines, most relevant first (relevance is not
// signal: query hits compete for the budget); then coverage before repetition: every shape
// (loose template) of the ordinary lines is first named in a marker with its count, rarest
// first, and then shown by its first line, rarest first (a name stands in for a line only where
// it is cheaper: a shape of one line is named only when its name costs at most two thirds of the
// line); then repeats of signal lines, section headers, and the other lines of rare shapes,
// latest first.
//
// The budget is a ceiling, not a target. Signal (error, warning, stack-trace, summary and outlier
// lines, the first and last line, the context of errors, query lines) is kept while the budget
// lasts; everything after it (shapes shown or named, repeats, headers, rare lines) is filler, and
// takes at most one estimate unit in `FILLER_SHARE` of what the filler costs losslessly: a routine
// part of a log is told by a summary an order of magnitude smaller than itself, however much
// budget is left.

import { Class, type LineInfo } from './classify.js';
import { estimateTokens } from '../budget.js';
import { poll } from '../stop.js';
import type { Unit } from './fold.js';

/** Lines after an error or stack-trace line kept as its context. */
export const CONTEXT_AFTER = 10;
/** Lines before an error or stack-trace line kept as its context. */
export const CONTEXT_BEFORE = 3;
/** Lines indented under an error (its message, a test's output) kept as its continuation. */
export const CONTINUATION_MAX = 60;
/** Two errors this close keep everything between them. */
export const BRIDGE_GAP = 20;
/** Estimated cost of one omission marker, and of the smallest (`[… 1 line omitted …]`). */
export const MARKER_COST = 30;
export const SMALL_MARKER_COST = 10;

const PRIO_MUST = 0;
const PRIO_CONTEXT = 10;
/** The first line of each text holding a query term: rarest terms first (see `rankQueryLines`), then in reading order. */
const PRIO_QUERY = 100;
/** Query scores above this rank alike. */
const QUERY_SPAN = 99;
/** The first line of a shape no kept line shows (see `plan`). */
const PRIO_TEMPLATE = 200;
const PRIO_REPEATED_SIGNAL = 300;
const PRIO_HEADER = 400;
const PRIO_OTHER = 500;
/** Ordinary lines whose shape occurs more often than `RARE_SHAPE` times. */
const PRIO_NEVER = Number.MAX_SAFE_INTEGER;

/**
 * An ordinary line is kept as filler only if its shape (see `looseTemplate`) occurs at most this
 * many times in the block.
 */
export const RARE_SHAPE = 2;
/** Estimated cost of naming a shape in a marker beyond its quote: quotes, count, separator. */
export const NAME_COST = 6;
/**
 * Filler (everything ranked from `PRIO_TEMPLATE` on) keeps at most one estimate unit in this many
 * of its own lossless cost.
 */
export const FILLER_SHARE = 10;

/** What selection decided for each unit. */
export interface Selection {
  kept: boolean[];
  /** For a kept signal line whose later repeats were dropped: how often it occurred in all. */
  inAll: Array<number | undefined>;
  /** The unit repeats an earlier kept signal line. */
  repeatedSignal: boolean[];
  /** For the dropped first line of a shape that markers name: how many lines the shape has. */
  named: Array<number | undefined>;
  /** The unit is the first ordinary line of its shape. */
  firstOfShape: boolean[];
  /**
   * What the selection spends, in estimate units (lines and markers): at an unbounded budget, the
   * budget beyond which selection changes nothing.
   */
  used: number;
}

/**
 * What selection knows before it sees a budget: each unit's priority, and which signal line each
 * repeat belongs to. Built once per block; every budget round reuses it.
 */
export interface Plan {
  prio: number[];
  /** Order among units of one priority (smaller first). */
  rank: Array<[number, number]>;
  /** For the first line of a shape: how many ordinary lines have the shape. */
  shapeLines: number[];
  /** For the first line of a shape: what naming the shape in a marker costs. */
  nameCost: number[];
  repeatedSignal: boolean[];
  groupOf: Array<number | undefined>;
}

/**
 * Ranks the units of a block (see the module comment). `shapes` holds the loose template
 * (`LooseTemplate.shape`) of each unit's first line, `quotes` the form markers quote.
 */
export function plan(units: readonly Unit[], lines: readonly string[], info: readonly LineInfo[], shapes: readonly string[], quotes: readonly string[]): Plan {
  const n = lines.length;
  const score = contextScores(info);
  const prio: number[] = new Array<number>(units.length).fill(PRIO_OTHER);
  const repeatedSignal: boolean[] = new Array<boolean>(units.length).fill(false);
  // Error, warning, stack-trace and query lines: the first of each text (timestamp aside) is
  // kept (query lines while the budget lasts). Summaries (one per test class, per module):
  // the last of each template is kept.
  const groupOf: Array<number | undefined> = new Array<number | undefined>(units.length).fill(undefined);
  const firstOfText = new Map<string, number>();
  const lastOfTemplate = new Map<string, number>();
  const summaryKey: Array<string | undefined> = new Array<string | undefined>(units.length).fill(undefined);
  for (let u = 0; u < units.length; u++) {
    poll(64);
    const unit = units[u]!;
    if (unit.kind !== 'line') continue;
    const li = info[unit.start]!;
    const line = lines[unit.start]!;
    if (li.cls === Class.Plain) continue;
    if (li.cls === Class.Summary) {
      const key = shapes[unit.start]!;
      lastOfTemplate.set(key, u);
      summaryKey[u] = key;
    } else {
      const text = li.ts > 0 ? line.slice(li.ts) : line;
      let first = firstOfText.get(text);
      if (first === undefined) {
        first = u;
        firstOfText.set(text, u);
      }
      groupOf[u] = first;
    }
  }
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    const end = unit.start + unit.len;
    const edge = unit.start === 0 || end === n;
    if (unit.kind === 'line') {
      const key = summaryKey[u];
      const g = groupOf[u];
      const query = info[unit.start]!.cls === Class.Query && g === u;
      const must = key !== undefined ? lastOfTemplate.get(key) === u : g !== undefined ? g === u && !query : false;
      if (must || edge || info[unit.start]!.framed) {
        prio[u] = PRIO_MUST;
        continue;
      }
      if (query) {
        let best: number | undefined;
        for (let k = unit.start; k < end; k++) {
          const s = score[k];
          if (s !== undefined && (best === undefined || s < best)) best = s;
        }
        prio[u] = best === undefined ? PRIO_QUERY : PRIO_CONTEXT + best;
        continue;
      }
      // Earlier summaries (one per test class) are context, not repeats.
      const cls = info[unit.start]!.cls;
      repeatedSignal[u] = cls !== Class.Plain && cls !== Class.Summary;
    } else if (unit.kind === 'repeat') {
      // Kept exactly when its first copy is: as important as the least of it.
      let p = -1;
      for (let k = unit.copy; k < u; k++) p = Math.max(p, prio[k]!);
      prio[u] = p < 0 ? PRIO_OTHER : p;
      continue;
    }
    let best: number | undefined;
    for (let k = unit.start; k < end; k++) {
      const s = score[k];
      if (s !== undefined && (best === undefined || s < best)) best = s;
    }
    prio[u] =
      best !== undefined
        ? PRIO_CONTEXT + best
        : repeatedSignal[u]
          ? PRIO_REPEATED_SIGNAL
          : info[unit.start]!.header || info[unit.start]!.cls === Class.Summary
            ? PRIO_HEADER
            : PRIO_OTHER;
  }

  // Coverage before repetition: the first ordinary line of each shape no kept line shows (rarest
  // shape first, then latest first) comes before any shape's second line. Later lines of a
  // frequent shape are well told by the markers (they count it); only rare ones are worth their
  // tokens.
  const mustShape = new Set<string>();
  const shapeCount = new Map<string, number>();
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    const key = shapes[unit.start]!;
    if (prio[u] === PRIO_MUST && unit.kind === 'line') mustShape.add(key);
    else if (prio[u] === PRIO_OTHER) shapeCount.set(key, (shapeCount.get(key) ?? 0) + unit.len);
  }
  const rank: Array<[number, number]> = units.map((_, u) => [0, u]);
  const shapeLines: number[] = new Array<number>(units.length).fill(0);
  const nameCost: number[] = new Array<number>(units.length).fill(0);
  const seen = new Set<string>();
  for (let u = 0; u < units.length; u++) {
    if (prio[u] !== PRIO_OTHER) continue;
    rank[u] = [0, -u];
    const unit = units[u]!;
    const key = shapes[unit.start]!;
    // A shape of fields alone (`<*>`) says nothing; such lines stay ordinary filler.
    if (!key.split(' ').some((t) => t !== '<*>')) continue;
    const count = shapeCount.get(key) ?? 0;
    if (mustShape.has(key) || seen.has(key)) {
      if (count > RARE_SHAPE) prio[u] = PRIO_NEVER;
      continue;
    }
    seen.add(key);
    prio[u] = PRIO_TEMPLATE;
    rank[u] = [count, -u];
    shapeLines[u] = count;
    nameCost[u] = estimateTokens(quotes[unit.start]!) + NAME_COST;
  }

  return { prio, rank, shapeLines, nameCost, repeatedSignal, groupOf };
}

/** Ranks the query lines of `plan` by `relevance` (per line: `query.queryScore` of its text), highest first. */
export function rankQueryLines(plan: Plan, units: readonly Unit[], relevance: readonly number[]): void {
  for (let u = 0; u < units.length; u++) {
    if (plan.prio[u] === PRIO_QUERY) plan.prio[u] = PRIO_QUERY + QUERY_SPAN - Math.min(relevance[units[u]!.start]!, QUERY_SPAN);
  }
}

/** Chooses the units to keep within `budget` (in `costs` units). */
export function select(units: readonly Unit[], info: readonly LineInfo[], plan: Plan, costs: readonly number[], budget: number): Selection {
  const { prio, groupOf } = plan;
  const kept = prio.map((p) => p === PRIO_MUST);
  const isFiller = (u: number): boolean => prio[u]! >= PRIO_TEMPLATE;
  let fillerCost = 0;
  for (let u = 0; u < units.length; u++) if (isFiller(u)) fillerCost += costs[u]!;
  const fillerCap = Math.floor(fillerCost / FILLER_SHARE);
  let filler = 0;
  let used = 0;
  let inDroppedRun = false;
  for (let u = 0; u < kept.length; u++) {
    if (kept[u]) {
      used += costs[u]!;
      inDroppedRun = false;
    } else if (!inDroppedRun) {
      used += MARKER_COST;
      inDroppedRun = true;
    }
  }
  const order: number[] = [];
  for (let u = 0; u < units.length; u++) if (!kept[u] && prio[u] !== PRIO_NEVER) order.push(u);
  // Most important first; among the ordinary lines the latest first (a log's end tells how it
  // went), the first lines of shapes rarest first, otherwise in reading order.
  const { rank, nameCost, shapeLines } = plan;
  order.sort((a, b) => prio[a]! - prio[b]! || rank[a]![0] - rank[b]![0] || rank[a]![1] - rank[b]![1]);
  const named: Array<number | undefined> = new Array<number | undefined>(units.length).fill(undefined);
  let namingDone = false;
  for (let i = 0; i < order.length; i++) {
    poll(64);
    const u = order[i]!;
    if (prio[u] === PRIO_TEMPLATE && !namingDone) {
      // Every shape first gets its name in a marker, while the budget lasts; a shape of one line
      // only where the name costs at most two thirds of the line.
      namingDone = true;
      for (let j = i; j < order.length && prio[order[j]!] === PRIO_TEMPLATE; j++) {
        const v = order[j]!;
        const c = nameCost[v]!;
        const worth = shapeLines[v]! >= 2 || 3 * c <= 2 * costs[v]!;
        if (worth && used + c <= budget && filler + c <= fillerCap) {
          named[v] = shapeLines[v]!;
          used += c;
          filler += c;
        }
      }
    }
    const left = u > 0 && !kept[u - 1];
    const right = u + 1 < units.length && !kept[u + 1];
    const cost = costs[u]! + (left && right ? MARKER_COST : 0);
    const saving = !left && !right ? MARKER_COST : 0;
    // A shown line needs no name.
    const refund = named[u] !== undefined ? nameCost[u]! : 0;
    // A unit no dearer than the marker that would stand for it is always worth keeping.
    const cheap = saving > 0 && cost <= SMALL_MARKER_COST;
    const fits = used + cost <= budget + saving + refund && (!isFiller(u) || filler + cost <= fillerCap + saving + refund);
    if (cheap || fits) {
      kept[u] = true;
      named[u] = undefined;
      used = Math.max(0, used + cost - saving - refund);
      if (isFiller(u)) filler = Math.max(0, filler + cost - saving - refund);
    }
  }
  // A repeat marker only makes sense under its complete first copy.
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    if (unit.kind === 'repeat' && kept[u]) {
      for (let k = unit.copy; k < u; k++) {
        if (!kept[k]) {
          kept[u] = false;
          break;
        }
      }
    }
  }

  const totals = new Map<number, { total: number; dropped: boolean }>();
  for (let u = 0; u < units.length; u++) {
    const first = groupOf[u];
    if (first === undefined) continue;
    let e = totals.get(first);
    if (e === undefined) {
      e = { total: 0, dropped: false };
      totals.set(first, e);
    }
    e.total += units[u]!.len;
    e.dropped ||= !kept[u];
  }
  const inAll: Array<number | undefined> = new Array<number | undefined>(units.length).fill(undefined);
  for (const [first, { total, dropped }] of totals) {
    if (dropped && kept[first] && info[units[first]!.start]!.cls !== Class.Frame) inAll[first] = total;
  }
  return { kept, inAll, repeatedSignal: plan.repeatedSignal, named, firstOfShape: shapeLines.map((n) => n > 0), used };
}

/**
 * For each line, how close it is to an error or stack-trace line (smaller is closer), if it is
 * context at all: after-distance counts once, before-distance twice; continuation lines and
 * bridges between nearby errors count as adjacent, and the header of a section that holds an error
 * (the step or task that failed) as the line just before it.
 */
function contextScores(info: readonly LineInfo[]): Array<number | undefined> {
  const n = info.length;
  const anchor = (k: number): boolean => info[k]!.cls === Class.Error || info[k]!.cls === Class.Frame;
  const score: Array<number | undefined> = new Array<number | undefined>(n).fill(undefined);
  const prevAnchor = new Int32Array(n).fill(-1);
  let prev = -1;
  let continuing = false;
  for (let k = 0; k < n; k++) {
    if (anchor(k)) {
      prev = k;
      continuing = true;
      continue;
    }
    prevAnchor[k] = prev;
    if (prev >= 0) {
      const after = k - prev;
      continuing = continuing && (info[k]!.blank || info[k]!.indent > info[prev]!.indent);
      if ((continuing && after <= CONTINUATION_MAX) || after <= CONTEXT_AFTER) score[k] = continuing ? 1 : after;
    }
  }
  let next = -1;
  // Whether the lines after `k`, up to the next header, hold an anchor.
  let sectionFailed = false;
  for (let k = n - 1; k >= 0; k--) {
    if (anchor(k)) {
      next = k;
      sectionFailed = !info[k]!.header;
      continue;
    }
    const headerOfFailure = info[k]!.header && sectionFailed;
    if (info[k]!.header) sectionFailed = false;
    if (next < 0) continue;
    const before = next - k;
    let s: number | undefined;
    if (before <= CONTEXT_BEFORE) s = 2 * before;
    if (headerOfFailure) s = 2;
    const a = prevAnchor[k]!;
    if (a >= 0 && next - a <= BRIDGE_GAP) s = 1;
    if (s !== undefined) {
      const x = score[k];
      score[k] = x === undefined ? s : Math.min(x, s);
    }
  }
  return score;
}
