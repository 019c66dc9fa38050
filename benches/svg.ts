// Horizontal bar charts as standalone SVG files, written without a browser.

export interface Bar {
  label: string;
  value: number;
  /** Text drawn after the bar (defaults to the value). */
  note?: string;
  /** A second value on the same scale, drawn as a tick (e.g. retention). */
  mark?: number | undefined;
}

export interface Chart {
  title: string;
  unit: string;
  bars: Bar[];
  /** Fixed scale maximum (e.g. 100 for percentages); defaults to the largest value. */
  max?: number;
  markLabel?: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function barChart(chart: Chart): string {
  const rowH = 22;
  const labelW = Math.min(360, 12 + 7 * Math.max(8, ...chart.bars.map((b) => b.label.length)));
  const plotW = 460;
  const top = 48;
  const height = top + rowH * chart.bars.length + 40;
  const width = labelW + plotW + 140;
  const max = chart.max ?? Math.max(1e-9, ...chart.bars.map((b) => Math.max(b.value, b.mark ?? 0)));
  const x = (v: number): number => labelW + (Math.max(0, v) / max) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(chart.title)}</text>`,
    `<text x="12" y="38" fill="#555">${esc(chart.unit)}${chart.markLabel ? ` · tick: ${esc(chart.markLabel)}` : ''}</text>`,
  ];
  chart.bars.forEach((b, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 4}" width="${(x(b.value) - labelW).toFixed(1)}" height="${rowH - 8}" fill="#3b7dd8"/>`);
    if (b.mark !== undefined) {
      const mx = x(b.mark).toFixed(1);
      parts.push(`<line x1="${mx}" x2="${mx}" y1="${y + 1}" y2="${y + rowH - 1}" stroke="#d83b3b" stroke-width="3"/>`);
    }
    parts.push(`<text x="${x(b.value) + 6}" y="${y + 15}" fill="#222">${esc(b.note ?? String(b.value))}</text>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="${top}" y2="${top + rowH * chart.bars.length}" stroke="#888"/>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
