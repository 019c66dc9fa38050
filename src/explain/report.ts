// The plain-text form of an explanation, for the terminal.

import { stripAnsi } from '../engine/js/lines.js';
import type { BlockExplanation, Explanation } from './explain.js';
import { REASON_TEXT, type Reason } from './reasons.js';

const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const percent = (before: number, after: number): string => (before === 0 ? '0.0' : ((100 * (before - after)) / before).toFixed(1));

/** A line of the original cut for a terminal row. */
const clip = (text: string, width: number): string => {
  const flat = stripAnsi(text).replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
};

/** Where a block sits in its conversation. */
export function blockPlace(b: BlockExplanation): string {
  const part = b.partIndex === undefined ? '' : `, part ${b.partIndex}`;
  return b.blockIndex < 0 ? `message ${b.messageIndex}` : `message ${b.messageIndex}, block ${b.blockIndex}${part}`;
}

export function textReport(e: Explanation, name: string): string {
  const out: string[] = [];
  const what = e.source === 'raw' ? 'raw tool output' : `${e.source} request`;
  out.push(`headroom explain: ${name} (${what}), ${e.engine} engine, ${e.durationMs.toFixed(1)} ms`);
  out.push(`${group(e.tokensBefore)} → ${group(e.tokensAfter)} tokens (${percent(e.tokensBefore, e.tokensAfter)} % saved)`);
  if (e.blocks.length === 0) {
    out.push('', 'Nothing was compressed: no block was above the minimum size, or none got smaller.');
    return out.join('\n') + '\n';
  }
  const used = new Set<Reason>();
  e.blocks.forEach((b, i) => {
    out.push('', `block ${i + 1} (${blockPlace(b)}): ${b.kind} · ${b.strategy} · ${group(b.tokensBefore)} → ${group(b.tokensAfter)} tokens`);
    for (const o of b.omitted) out.push(`  engine: ${group(o.count)} ${o.unit} omitted${o.summary === '' ? '' : ` (${o.summary})`}`);
    out.push(`  tokens of the original by what became of them (counted per ${b.unit}):`);
    for (const row of b.chart) {
      if (row.key !== 'omitted' && row.key !== 'folded' && row.key !== 'cut' && row.key !== 'markers' && row.key !== 'not mapped') used.add(row.key);
      const label = row.key === 'markers' ? 'markers (added)' : row.key;
      out.push(`    ${label.padEnd(22)} ${group(row.units).padStart(8)} ${(row.key === 'markers' ? 'markers' : `${b.unit}s`).padEnd(8)} ${group(row.tokens).padStart(9)} tokens`);
    }
    for (const note of b.notes) out.push(`  note: ${note}`);
    out.push(`  ${b.unit === 'line' ? 'lines' : b.unit === 'item' ? 'items' : 'block'}, in order:`);
    const width = Math.min(36, Math.max(...b.units.map((u) => u.label.length + 2 * u.depth)));
    for (const u of b.units) {
      const fate = u.fate === 'kept' ? (u.reason ?? 'kept') : u.fate;
      const text = u.fate === 'omitted' || u.fate === 'folded' ? (u.marker ?? '(no marker here)') : clip(b.original.slice(u.start, u.end), 96);
      out.push(`    ${('  '.repeat(u.depth) + u.label).padEnd(width)} ${fate.padEnd(22)} ${text}`);
    }
  });
  if (used.size > 0) {
    out.push('', 'reasons (inferred from the kept text):');
    for (const r of used) out.push(`  ${r.padEnd(22)} ${REASON_TEXT[r]}`);
  }
  return out.join('\n') + '\n';
}
