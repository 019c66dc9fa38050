// The log compressor: service logs, CI and build output, test runs (twin of log.rs).
//
// 1. Normalise (`lines`): line ends, `\r` progress lines, ANSI escapes.
// 2. Classify every line (`classify`): timestamp, level, error/warning/stack-trace/summary
//    (`timestamp`, `level`, `frames`, `summary`, and the engine's `signal`); mark the lines that
//    carry a statistical outlier or a change point (`outliers`), and the lines that frame an
//    error block (`blocks`).
// 3. Fold losslessly (`fold`): identical runs, repeated blocks, template runs.
// 4. Only if that is still above `maxBlockTokens`: select (`keep`): signal within the budget,
//    filler at most a tenth of its own size, leaving one marker per dropped run with its line
//    count, levels, time span and commonest template.
//
// Detection asks `recognize` whether lines look like a log.

import type { BlockOptions, Compressed, Omission } from '../types.js';
import { fit, losslessAbove } from './budget.js';
import { given, lineEnd, type Lines, split, tokens } from './lines.js';
import { mark as markBlocks } from './log/blocks.js';
import { Class, classifyAll, type LineInfo } from './log/classify.js';
import { fold, isVariable, looseTemplate, renderUnit, type Unit, unitCost } from './log/fold.js';
import { plan, rankQueryLines, select, type Selection } from './log/keep.js';
import { LEVEL_NAMES } from './log/level.js';
import { mark as markOutliers } from './log/outliers.js';
import * as marker from './marker.js';
import { queryScore, queryTerms, termWeights } from './query.js';
import { poll } from './stop.js';
import { countTokens } from './tokens.js';

export { Look, looks } from './log/recognize.js';

/** Dropped runs at least this long show the time span they cover. */
export const TIME_SPAN_MIN_LINES = 10;
/** Longest template quoted in an omission marker, in UTF-8 bytes. */
export const MAX_QUOTED_TEMPLATE = 120;

/**
 * `original` is the caller's text where `content` is its well-formed copy (lone surrogates made
 * U+FFFD, offsets unchanged): kept lines are emitted from it, as given.
 */
export function compress(content: string, options: BlockOptions, original: string = content): Compressed | undefined {
  const cut = split(content);
  const lines = cut.lines;
  // Already compressed (it carries our markers): compressing again must change nothing.
  if (lines.length === 0 || lines.some((l) => marker.isMarker(l))) return undefined;
  // Only terms that tell lines apart make a line relevant (see `query.COMMON_SHARE`).
  const allTerms = queryTerms(options.query);
  const allWeights = termWeights(allTerms, lines);
  const terms = allTerms.filter((_, k) => allWeights[k]! > 0);
  const weights = allWeights.filter((w) => w > 0);
  const info = classifyAll(lines, terms);
  markOutliers(lines, info);
  markBlocks(lines, info);
  const units = fold(lines, info);
  const rendered = units.map((u) => renderUnit(u, cut, original));
  const lossless: Compressed = { content: rendered.join(''), strategy: 'log:fold', omitted: templated(units, undefined) };
  if (!Number.isFinite(options.maxBlockTokens) || options.maxBlockTokens < 0) return lossless;
  const max = Math.floor(options.maxBlockTokens);
  const costs = units.map((u) => unitCost(u, lines));
  let estimated = 0;
  for (const c of costs) estimated += c;
  const start = losslessAbove(lossless.content, estimated, max, options.encoding);
  if (start === undefined) return lossless;
  const q = quoted(units, lines, info);
  const keepPlan = plan(units, lines, info, q.shape, q.coarse);
  const relevance = lines.map((line, k) => (info[k]!.cls === Class.Query ? queryScore(line.slice(info[k]!.ts), terms, weights) : 0));
  rankQueryLines(keepPlan, units, relevance);
  // Filler is capped (see `keep`), so past some budget the selection stops growing: steering need
  // not look beyond it.
  const reach = select(units, info, keepPlan, costs, Infinity).used;
  return fit(max, start, Math.min(estimated, reach), (b): [Compressed, number] => {
    const sel = select(units, info, keepPlan, costs, b);
    const out = renderSelection(units, rendered, cut, original, info, q, sel);
    const tokens = countTokens(out.content, options.encoding);
    return [{ ...out, tokens }, tokens];
  });
}

/**
 * The loose templates (`LooseTemplate`) of the lines selection ranks and markers quote (each
 * unit's first line, and the lines a repeat copies), worked out once for every selection round, by
 * line: the whole shape, the quoted cut and, where it differs, its fine form (see `summarise`).
 */
interface Quoted {
  shape: string[];
  coarse: string[];
  fine: Array<string | undefined>;
}

function quoted(units: readonly Unit[], lines: readonly string[], info: readonly LineInfo[]): Quoted {
  const n = lines.length;
  const q: Quoted = { shape: new Array<string>(n).fill(''), coarse: new Array<string>(n).fill(''), fine: new Array<string | undefined>(n).fill(undefined) };
  // A line may be asked for twice (as a unit, then in a repeat's copy): with `fine` it is worked
  // out again, so a fine form once needed is never lost.
  const put = (k: number, fine: boolean): void => {
    if (!fine && q.coarse[k] !== '') return;
    poll(lines[k]!.length + 1);
    const t = looseTemplate(lines[k]!, info[k]!, MAX_QUOTED_TEMPLATE, fine);
    [q.shape[k], q.coarse[k], q.fine[k]] = [t.shape, t.quoted, t.fine];
  };
  for (const unit of units) {
    if (unit.kind === 'line') put(unit.start, true);
    else if (unit.kind === 'template') put(unit.start, unit.fine);
    else {
      for (let k = unit.start - unit.period; k < unit.start; k++) put(k, true);
      put(unit.start, false);
    }
  }
  return q;
}

function renderSelection(
  units: readonly Unit[],
  rendered: readonly string[],
  cut: Lines,
  original: string,
  info: readonly LineInfo[],
  q: Quoted,
  sel: Selection,
): Compressed {
  const lines = cut.lines;
  const out: string[] = [];
  const levelTotals = [0, 0, 0, 0, 0, 0, 0];
  let droppedTotal = 0;
  let markers = 0;
  // The shapes kept lines show: a marker names only the others.
  const shown = new Set<string>();
  units.forEach((unit, u) => {
    if (sel.kept[u] && unit.kind !== 'repeat') shown.add(q.shape[unit.start]!);
  });
  let u = 0;
  while (u < units.length) {
    poll(64);
    if (sel.kept[u]) {
      const total = sel.inAll[u];
      const unit = units[u]!;
      out.push(total !== undefined ? given(cut, unit.start, original) + marker.lineInAll(unit.len, total) + lineEnd(cut, unit.start + unit.len - 1) : rendered[u]!);
      u++;
      continue;
    }
    const from = u;
    while (u < units.length && !sel.kept[u]) u++;
    const summary = summarise(units.slice(from, u), sel.repeatedSignal.slice(from, u), sel.named.slice(from, u), sel.firstOfShape.slice(from, u), shown, lines, info, q);
    for (let k = 0; k < 7; k++) levelTotals[k]! += summary.levels[k]!;
    droppedTotal += summary.lines;
    markers++;
    out.push(summary.marker + lineEnd(cut, units[u - 1]!.start + units[u - 1]!.len - 1));
  }
  const omitted: Omission[] =
    droppedTotal > 0 ? [{ unit: 'lines', count: droppedTotal, summary: marker.logOmissionSummary(levelText(levelTotals), markers) }] : [];
  omitted.push(...templated(units, sel.kept));
  return { content: out.join(''), strategy: 'log:select', omitted };
}

/**
 * The lines that stand in the output as template lines (their field values, but for the first
 * and last or the range, are left out); `kept` limits it to kept units.
 */
function templated(units: readonly Unit[], kept: readonly boolean[] | undefined): Omission[] {
  let lines = 0;
  let templates = 0;
  units.forEach((unit, u) => {
    if (unit.kind === 'template' && (kept === undefined || kept[u])) {
      lines += unit.len;
      templates++;
    }
  });
  return lines === 0 ? [] : [{ unit: 'lines', count: lines, summary: marker.templatedSummary(templates) }];
}

interface Summary {
  lines: number;
  levels: number[];
  marker: string;
}

/**
 * The marker for a run of dropped units: level counts, time span, repeats of kept lines, the most
 * common template, and the shapes no kept line shows (`named` by selection, or counted as more); a
 * run with nothing else to say names its templates.
 */
function summarise(
  units: readonly Unit[],
  repeated: readonly boolean[],
  named: ReadonlyArray<number | undefined>,
  firstOfShape: readonly boolean[],
  shown: ReadonlySet<string>,
  lines: readonly string[],
  info: readonly LineInfo[],
  q: Quoted,
): Summary {
  let total = 0;
  const levels = [0, 0, 0, 0, 0, 0, 0];
  let repeats = 0;
  // Template keys with their count and how to quote them, in first-seen order: the fine form
  // (`test_values[<*>] PASSED`) when every line of the template has the same one.
  const keys: Array<[string, number, string | undefined]> = [];
  const keyIndex = new Map<string, number>();
  const countKey = (line: number, n: number, uniform: boolean): void => {
    const key = q.coarse[line]!;
    // A template must say something: at least one word that is not a field.
    if (!key.split(' ').some((t) => t !== '' && t !== '<*>' && t !== '…')) return;
    const fine = uniform ? (q.fine[line] ?? key) : undefined;
    const k = keyIndex.get(key);
    if (k !== undefined) {
      const e = keys[k]!;
      e[1] += n;
      if (e[2] !== fine) e[2] = undefined;
    } else {
      keyIndex.set(key, keys.length);
      keys.push([key, n, fine]);
    }
  };
  units.forEach((unit, idx) => {
    total += unit.len;
    if (repeated[idx]) repeats += unit.len;
    for (let k = unit.start; k < unit.start + unit.len; k++) {
      const l = info[k]!.level;
      if (l !== undefined) levels[l]!++;
    }
    if (unit.kind === 'repeat') {
      for (let k = unit.start - unit.period; k < unit.start; k++) countKey(k, unit.len / unit.period, true);
    } else {
      countKey(unit.start, unit.len, unit.kind === 'line' || unit.fine);
    }
  });
  const first = units.length > 0 ? units[0]!.start : 0;
  const last = units[units.length - 1];
  const end = last !== undefined ? last.start + last.len : 0;
  const parts: string[] = [];
  const levelPart = levelText(levels);
  if (levelPart.length > 0) parts.push(levelPart);
  const stamp = (k: number): string => lines[k]!.slice(0, info[k]!.ts).replace(/[ \t\x0b\x0c|]+$/, '');
  if (total >= TIME_SPAN_MIN_LINES) {
    let a = -1;
    for (let k = first; k < end; k++) {
      if (info[k]!.ts > 0) {
        a = k;
        break;
      }
    }
    let b = -1;
    for (let k = end - 1; k >= first; k--) {
      if (info[k]!.ts > 0) {
        b = k;
        break;
      }
    }
    if (a >= 0 && b >= 0) parts.push(marker.timeSpan(stamp(a), stamp(b)));
  }
  if (repeats > 0) parts.push(marker.repeatedSignalLines(repeats));
  let best: [string, number, string | undefined] | undefined;
  for (const k of keys) if (best === undefined || k[1] > best[1]) best = k;
  // The shapes this run holds that no kept line shows: named with their count here (and in all,
  // when later runs hold more of them), or counted.
  const here = new Map<string, number>();
  for (const unit of units) if (unit.kind !== 'repeat') here.set(q.shape[unit.start]!, (here.get(q.shape[unit.start]!) ?? 0) + unit.len);
  const names: string[] = [];
  let more = 0;
  let bestNamed = false;
  units.forEach((unit, idx) => {
    const shape = q.shape[unit.start]!;
    if (unit.kind === 'repeat' || shown.has(shape)) return;
    const total = named[idx];
    if (total !== undefined) {
      const quote = q.coarse[unit.start]!;
      if (best !== undefined && best[0] === quote) bestNamed = true;
      names.push(marker.templateCount(quote, here.get(shape) ?? unit.len, total));
    } else if (firstOfShape[idx]) more++;
  });
  if (best !== undefined && best[1] >= 2 && !bestNamed) parts.push(marker.mostCommon(best[2] ?? best[0], best[1]));
  if (names.length > 0 || more > 0) parts.push(marker.templatesNamed(names, more));
  if (parts.length === 0) {
    // Nothing else to say: what the lines are.
    let blank = true;
    for (let k = first; k < end; k++) if (!info[k]!.blank) blank = false;
    if (blank) parts.push(marker.blankLines());
    else if (keys.length > 0) parts.push(marker.templatesNamed(keys.map(([key, n, fine]) => marker.templateCount(fine ?? key, n, n)), 0));
    else {
      let k = first;
      while (k < end && info[k]!.blank) k++;
      if (k === end) k = first;
      const quote = looseTemplate(lines[k]!, info[k]!, MAX_QUOTED_TEMPLATE, false).quoted;
      parts.push(marker.templatesNamed([marker.templateCount(quote, total, total)], 0));
    }
  }
  return { lines: total, levels, marker: marker.linesOmitted(total, parts) };
}

/** `398 INFO, 14 DEBUG`: most frequent first, ties by severity. */
function levelText(levels: readonly number[]): string {
  const counts: Array<[number, string]> = [];
  for (let l = 6; l >= 0; l--) if (levels[l]! > 0) counts.push([levels[l]!, LEVEL_NAMES[l]!]);
  counts.sort((a, b) => b[0] - a[0]);
  return marker.levelCounts(counts);
}
