// Which original lines a compressed block kept, folded or left out, read back from the two texts.
// The engine reports no source map, so the compressed lines are found in the original in order:
// kept lines are the engine's own normalised lines (line ends, terminal progress lines and ANSI
// escapes as `lines.ts` cuts them); a marker stands where lines were dropped or folded into a
// repeat count and, where its wording gives one, says how many.

import { split, splitRaw } from '../engine/js/lines.js';
import { isMarker } from '../engine/js/marker.js';
import type { BlockKind } from '../index.js';

/** One original line and what became of it. */
export interface LineFate {
  /** Where the line is in the original text (UTF-16 offsets, line end excluded). */
  start: number;
  end: number;
  /** The line as the engine reads it (ANSI escapes removed). */
  text: string;
  /** `kept`: in the output; `folded`: a repeat counted by a marker after the lines it repeats; `omitted`: left out. */
  fate: 'kept' | 'folded' | 'omitted';
  /** For omitted lines: the marker (index into `markers`) standing where they were. */
  marker?: number;
}

export interface OutputMarker {
  text: string;
  /** Line of the marker in the compressed text (0-based). */
  line: number;
  /** Original lines the marker says it stands for, when its wording gives the number. */
  count: number | undefined;
}

export interface LineAlignment {
  lines: LineFate[];
  markers: OutputMarker[];
  /** Output lines that are neither markers nor found in the original (re-worded by the compressor). */
  unmatched: number;
}

/** `[… the 10 lines above repeat 3 more times (30 lines) …]`, `[… the line above repeats 4 more times: 5 in a row …]`. */
const REPEAT = /^\[… the (?:\d+ lines? above repeat|line above repeats) /;

/** Original lines a marker stands for, from its wording (undefined when it gives no line count). */
export function markerLineCount(marker: string): number | undefined {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(marker);
    return m === null ? undefined : Number(m[1]);
  };
  // A line's own repeats: the copies after it (the ones elsewhere are told where they stood).
  if (/^\[… the line above repeats once more/.test(marker)) return 1;
  const repeats = num(/^\[… the line above repeats (\d+) more times/);
  if (repeats !== undefined) return repeats;
  if (/^\[… the line above occurs \d+ times in all/.test(marker)) return 0;
  const search = /(\d+) match(?:es)?(?: and (\d+) context lines?)? omitted/.exec(marker);
  if (search !== null) return Number(search[1]) + Number(search[2] ?? 0);
  const once = /the (\d+) lines? above repeat once more/.exec(marker);
  if (once !== null) return Number(once[1]);
  return (
    num(/\((\d+) lines\)/) ?? // block repeats and lockfiles say their total in brackets
    num(/^\[… (\d+) (?:lines?|context lines?) omitted/) ??
    num(/^\[… (\d+) lines like:/) ??
    num(/^\[… (\d+) unchanged lines?/) ??
    num(/^\[… (\d+) lines? of binary patch data/)
  );
}

interface RawLine {
  start: number;
  end: number;
}

/** The original's lines with their offsets, cut as the engine cuts them (one per normalised line). */
function rawLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  if (text.length === 0) return out;
  const sep = text.includes('\n') ? '\n' : '\r';
  const body = text.endsWith(sep) ? text.length - 1 : text.length;
  let start = 0;
  for (;;) {
    const at = text.indexOf(sep, start);
    const end = at < 0 || at >= body ? body : at;
    out.push({ start, end: sep === '\n' && text.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end });
    if (end >= body) break;
    start = end + 1;
  }
  return out;
}

/**
 * Search hits come back grouped under their file path (`path` then `12:text` rows): the rows
 * are written back as the `path:12:text` lines they came from before they are looked up, and
 * the path headings, which stand for no line of their own, are left out.
 */
function ungroupSearch(lines: readonly string[]): string[] {
  let path: string | undefined;
  const out: string[] = [];
  lines.forEach((l, k) => {
    if (isMarker(l.trim()) || l === '--') return void out.push(l);
    const row = /^(\d+)([:-])/.exec(l);
    if (row !== null && path !== undefined) return void out.push(`${path}${row[2]}${l}`);
    // A heading is a line followed by a row; anything else is a line of its own.
    if (/^\d+[:-]/.test(lines[k + 1] ?? '')) path = l;
    else out.push(l);
  });
  return out;
}

/** Aligns a block's compressed lines with its original lines. */
export function alignLines(original: string, compressed: string, kind: BlockKind): LineAlignment {
  const raw = kind === 'search' || kind === 'diff' ? splitRaw : split;
  const orig = raw(original).lines;
  const spans = rawLines(original);
  let out = raw(compressed).lines;
  if (kind === 'search') out = ungroupSearch(out);
  const lines: LineFate[] = orig.map((text, k) => ({ start: spans[k]?.start ?? 0, end: spans[k]?.end ?? 0, text, fate: 'omitted' }));
  const markers: OutputMarker[] = [];
  let pending: number[] = [];
  let unmatched = 0;
  let next = 0;

  // Lines from `next` up to `to` were left out: they go to the markers that stood in their place.
  const leaveOut = (to: number): void => {
    const counts = pending.map((m) => markers[m]!.count);
    const total = counts.reduce<number>((a, c) => a + (c ?? 0), 0);
    let k = next;
    if (pending.length > 1 && counts.every((c) => c !== undefined) && total === to - next) {
      pending.forEach((m, i) => {
        for (let n = 0; n < counts[i]!; n++) lines[k++]!.marker = m;
      });
    } else if (pending.length > 0) {
      for (; k < to; k++) lines[k]!.marker = pending[0]!;
    }
    pending = [];
    next = to;
  };

  const find = (text: string, from: number): number => {
    for (let j = from; j < orig.length; j++) if (orig[j] === text) return j;
    return -1;
  };

  out.forEach((line, at) => {
    if (isMarker(line.trim())) {
      pending.push(markers.length);
      markers.push({ text: line.trim(), line: at, count: markerLineCount(line.trim()) });
      return;
    }
    // Where the markers' counts say the line must be; else the next line with its text.
    const skip = pending.reduce<number | undefined>((a, m) => (a === undefined || markers[m]!.count === undefined ? undefined : a + markers[m]!.count!), 0);
    const j = skip !== undefined && orig[next + skip] === line ? next + skip : find(line, next);
    if (j < 0) {
      unmatched++;
      return;
    }
    leaveOut(j);
    lines[j]!.fate = 'kept';
    next = j + 1;
  });
  leaveOut(orig.length);
  // A block that repeats the lines above it is folded, not dropped: its marker says how often.
  for (const l of lines) if (l.fate === 'omitted' && l.marker !== undefined && REPEAT.test(markers[l.marker]!.text)) l.fate = 'folded';
  return { lines, markers, unmatched };
}
