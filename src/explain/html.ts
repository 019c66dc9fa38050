// The HTML form of an explanation: one self-contained file (inline CSS and SVG, no script, a
// Content-Security-Policy that forbids any fetch). Per block: a bar chart of the original's tokens
// by what became of them, the original on the left with kept lines tinted by reason and omitted
// spans shaded under their marker, the compressed text on the right with each marker linking to
// the span it stands for.

import { stripAnsi } from '../engine/js/lines.js';
import type { BlockExplanation, ChartKey, ExplainedUnit, Explanation } from './explain.js';
import { REASON_TEXT, REASONS } from './reasons.js';
import { blockPlace } from './report.js';

export const COLORS: Readonly<Record<ChartKey, string>> = {
  error: '#d64545',
  warning: '#e8a33d',
  'stack trace': '#b35c9e',
  summary: '#2c7da0',
  'query hit': '#3b82c4',
  change: '#2f9e6e',
  'diff header': '#6b7fa3',
  outlier: '#8e5bd0',
  'first of its file': '#4aa3a3',
  'first or last': '#8a8a3a',
  context: '#e07b7b',
  'first of its category': '#5f9e3f',
  'rare shape': '#b0892c',
  'first of its shape': '#7b7bea',
  'budget filler': '#8c99a6',
  lossless: '#2f9e6e',
  omitted: '#bdbdbd',
  folded: '#9fb3c8',
  cut: '#e9b35f',
  markers: '#f2c500',
  'not mapped': '#a9a9a9',
};

/** Shading of omitted spans in the original (solid, so it reads at a glance). */
export const OMITTED_SHADE = '#dcdcdc';
/** Background of markers, on both sides. */
export const MARKER_SHADE = '#fff0a8';
/** An omitted span longer than this many lines shows its first and last lines only. */
const ELIDE_LINES = 8;
/** The original is shown up to this many characters. */
const MAX_SHOWN = 1_000_000;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Original text as a reader sees it in a terminal: ANSI escapes removed. */
const shown = (s: string): string => escape(stripAnsi(s));
const slug = (key: string): string => key.replace(/[^a-z]+/g, '-');
const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

function tint(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const MARKER_IN_TEXT = /\[…[^\n]*?…\]/g;

export function htmlReport(e: Explanation, name: string): string {
  const reasonCss = [...REASONS].map((r) => `.r-${slug(r)} { background: ${tint(COLORS[r], 0.16)}; box-shadow: inset 3px 0 ${COLORS[r]}; }`).join('\n');
  const title = `headroom explain: ${name}`;
  const saved = e.tokensBefore === 0 ? '0.0' : ((100 * (e.tokensBefore - e.tokensAfter)) / e.tokensBefore).toFixed(1);
  const blocks = e.blocks.map((b, i) => blockSection(b, i));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d232a; background: #fafafa; }
header { padding: 16px 24px; background: #1d232a; color: #fff; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 0; color: #c9d1d9; }
main { padding: 8px 24px 32px; }
section.block { background: #fff; border: 1px solid #e2e5e9; border-radius: 6px; margin: 16px 0; padding: 12px 16px; }
section.block h2 { font-size: 15px; margin: 0 0 8px; }
.engine-omitted { color: #555; margin: 0 0 8px; }
.notes { color: #8a5a00; margin: 4px 0 8px; padding-left: 18px; }
.chart svg { display: block; max-width: 100%; }
.chart text { font: 12px system-ui, sans-serif; fill: #1d232a; }
.panes { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 8px; }
.pane { min-width: 0; border: 1px solid #e2e5e9; border-radius: 4px; }
.pane h3 { font-size: 13px; margin: 0; padding: 6px 10px; background: #f1f3f5; border-bottom: 1px solid #e2e5e9; }
.pane pre { margin: 0; padding: 8px 10px; max-height: 75vh; overflow: auto; font: 12px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all; }
.omitted { background: ${OMITTED_SHADE}; color: #7d7d7d; }
.folded { background: ${tint(COLORS.folded, 0.35)}; color: #5b6b7b; }
.cut { background: ${tint(COLORS.cut, 0.3)}; }
.marker-label, .marker { background: ${MARKER_SHADE}; color: #5c4a00; font-weight: 600; text-decoration: none; }
.marker-label { display: inline-block; margin: 1px 0; padding: 0 4px; border-radius: 3px; }
.elided { display: inline-block; color: #5b5b5b; font-style: italic; }
${reasonCss}
.legend { columns: 2; font-size: 13px; padding: 0; list-style: none; }
.legend li { margin: 2px 0; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; vertical-align: baseline; }
</style>
</head>
<body>
<header>
<h1>${escape(title)}</h1>
<p>${e.source === 'raw' ? 'raw tool output' : `${e.source} request`} · ${group(e.tokensBefore)} → ${group(e.tokensAfter)} tokens (${saved} % saved) · ${e.engine} engine · ${e.durationMs.toFixed(1)} ms</p>
</header>
<main>
${blocks.length === 0 ? '<p class="nothing">Nothing was compressed: no block was above the minimum size, or none got smaller.</p>' : blocks.join('\n')}
<h2>Legend</h2>
<ul class="legend">
${[...REASONS].map((r) => `<li><span class="swatch" style="background:${COLORS[r]}"></span><b>${escape(r)}</b>: ${escape(REASON_TEXT[r])}</li>`).join('\n')}
<li><span class="swatch" style="background:${OMITTED_SHADE}"></span><b>omitted</b>: left out; the marker in its place says what it was</li>
<li><span class="swatch" style="background:${COLORS.folded}"></span><b>folded</b>: a repeat counted by the marker after the kept line (<code>[… the line above repeats …]</code>)</li>
<li><span class="swatch" style="background:${MARKER_SHADE}"></span><b>marker</b>: the text that stands where something was left out</li>
</ul>
<p>Reasons are inferred from the kept text: the engine reports what it dropped and where, not why it kept each line or item.</p>
</main>
</body>
</html>
`;
}

function blockSection(b: BlockExplanation, i: number): string {
  const id = `b${i + 1}`;
  const omitted = b.omitted.map((o) => `${group(o.count)} ${o.unit} omitted${o.summary === '' ? '' : ` (${o.summary})`}`).join('; ');
  return `<section class="block" id="${id}">
<h2>Block ${i + 1} · ${escape(blockPlace(b))} · ${escape(b.kind)} · <code>${escape(b.strategy)}</code> · ${group(b.tokensBefore)} → ${group(b.tokensAfter)} tokens</h2>
${omitted === '' ? '' : `<p class="engine-omitted">Engine: ${escape(omitted)}</p>`}
${b.notes.length === 0 ? '' : `<ul class="notes">${b.notes.map((n) => `<li>${escape(n)}</li>`).join('')}</ul>`}
<figure class="chart">${chartSvg(b)}</figure>
<div class="panes">
<div class="pane original"><h3>Original · ${escape(unitsLabel(b))}</h3><pre>${originalHtml(b, id)}</pre></div>
<div class="pane compressed"><h3>Compressed · ${group(b.tokensAfter)} tokens</h3><pre>${compressedHtml(b, id)}</pre></div>
</div>
</section>`;
}

function unitsLabel(b: BlockExplanation): string {
  const kept = b.units.filter((u) => u.fate === 'kept').reduce((n, u) => n + u.count, 0);
  const dropped = b.units.filter((u) => u.fate === 'omitted').reduce((n, u) => n + u.count, 0);
  if (b.unit === 'block') return `${group(b.tokensBefore)} tokens, re-encoded whole`;
  return `${group(b.tokensBefore)} tokens · ${group(kept)} ${b.unit}s kept, ${group(dropped)} omitted`;
}

/** Horizontal bars: tokens of the original per reason or fate, and what the markers add. */
function chartSvg(b: BlockExplanation): string {
  const rows = b.chart;
  const max = Math.max(1, ...rows.map((r) => r.tokens));
  const labelW = 170;
  const barW = 420;
  const rowH = 22;
  const height = rows.length * rowH + 28;
  const bars = rows.map((r, k) => {
    const y = 22 + k * rowH;
    const w = Math.max(2, Math.round((barW * r.tokens) / max));
    const unit = r.key === 'markers' ? 'markers' : `${b.unit}s`;
    return `<g class="row" data-key="${escape(r.key)}"><text x="${labelW - 8}" y="${y + 13}" text-anchor="end">${escape(r.key === 'markers' ? 'markers (added)' : r.key)}</text><rect class="bar" data-key="${escape(r.key)}" x="${labelW}" y="${y}" width="${w}" height="${rowH - 6}" fill="${COLORS[r.key]}"><title>${escape(`${r.key}: ${r.tokens} tokens in ${r.units} ${unit}`)}</title></rect><text x="${labelW + w + 6}" y="${y + 13}">${group(r.tokens)} tokens · ${group(r.units)} ${unit}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 200}" height="${height}" role="img" aria-label="tokens by reason"><text x="0" y="14" font-weight="600">Tokens of the original by what became of them</text>${bars.join('')}</svg>`;
}

/** The original with every unit wrapped: kept ones tinted by reason, omitted ones shaded under their marker. */
function originalHtml(b: BlockExplanation, id: string): string {
  const text = b.original.length > MAX_SHOWN ? b.original.slice(0, MAX_SHOWN) : b.original;
  const units = b.units.filter((u) => u.start < text.length);
  let out = '';
  let pos = 0;
  const open: ExplainedUnit[] = [];
  let markerNo = 0;
  let cutNo = 0;
  const closeUntil = (at: number): void => {
    while (open.length > 0 && open[open.length - 1]!.end <= at) {
      const u = open.pop()!;
      out += shown(text.slice(pos, Math.min(u.end, text.length))) + '</span>';
      pos = Math.min(u.end, text.length);
    }
  };
  for (const u of units) {
    closeUntil(u.start);
    out += shown(text.slice(pos, u.start));
    pos = u.start;
    const title = `${u.label} · ${u.fate === 'kept' ? (u.reason ?? 'kept') : u.fate} · ${u.tokens} tokens`;
    if (u.fate === 'omitted') {
      const anchor = u.marker === undefined ? '' : ` id="${id}-m${markerNo++}"`;
      const label = u.marker === undefined ? '(no marker of its own)' : u.marker;
      out += `<span class="unit omitted"${anchor} title="${escape(title)}"><span class="marker-label">${escape(label)}</span>\n${elided(text.slice(u.start, u.end))}</span>`;
      pos = u.end;
      continue;
    }
    const cls = u.fate === 'kept' ? (u.reason === undefined ? 'kept' : `kept r-${slug(u.reason)}`) : u.fate;
    const anchor = u.fate === 'cut' ? ` id="${id}-c${cutNo++}"` : '';
    out += `<span class="unit ${cls}"${anchor} title="${escape(title)}">`;
    open.push(u);
  }
  closeUntil(Number.MAX_SAFE_INTEGER);
  out += shown(text.slice(pos));
  if (text.length < b.original.length) out += `\n<span class="elided">⋯ the rest of the original (${group(b.original.length - text.length)} characters) is not shown ⋯</span>`;
  return out;
}

/** A long omitted span shows its first and last lines, the middle counted. */
function elided(span: string): string {
  const lines = span.split('\n');
  if (lines.length <= ELIDE_LINES) return shown(span);
  const head = lines.slice(0, 4).join('\n');
  const tail = lines.slice(-2).join('\n');
  return `${shown(head)}\n<span class="elided">⋯ ${group(lines.length - 6)} more lines not shown ⋯</span>\n${shown(tail)}`;
}

/** The compressed text, each marker a link to the span it stands for. */
function compressedHtml(b: BlockExplanation, id: string): string {
  let out = '';
  let pos = 0;
  let markerNo = 0;
  let cutNo = 0;
  // The markers of omitted units in order; a marker that stands for no unit (a TOON array's
  // `[… 17 of 500 items shown …]`) links nowhere.
  const anchors = b.units.flatMap((u) => (u.fate === 'omitted' && u.marker !== undefined ? [u.marker] : []));
  const cuts = b.units.filter((u) => u.fate === 'cut').length;
  for (const m of b.compressed.matchAll(MARKER_IN_TEXT)) {
    out += escape(b.compressed.slice(pos, m.index));
    const isCut = m[0].includes('string cut:');
    const target = isCut ? (cutNo < cuts ? `${id}-c${cutNo++}` : undefined) : anchors[markerNo] === m[0] ? `${id}-m${markerNo++}` : undefined;
    out += target === undefined ? `<span class="marker">${escape(m[0])}</span>` : `<a class="marker" href="#${target}">${escape(m[0])}</a>`;
    pos = m.index + m[0].length;
  }
  return out + escape(b.compressed.slice(pos));
}
