// Bar and line charts as standalone SVG files, written without a browser.

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

export interface Series {
  label: string;
  /** One y value per x step (x = 1, 2, …). */
  values: number[];
  /** Text after the label in the legend (e.g. the final value). */
  note?: string;
}

export interface LineChartSpec {
  title: string;
  unit: string;
  xLabel: string;
  series: Series[];
}

const COLOURS = ['#3b7dd8', '#d83b3b', '#2e9e5b', '#c98a12', '#7b4fc9', '#555555'];

/** Lines over a shared x axis (steps 1…n), one per series, with a legend; every other line is dashed so equal series stay visible. */
export function lineChart(chart: LineChartSpec): string {
  const legendW = 12 + 7 * Math.max(10, ...chart.series.map((s) => s.label.length + (s.note === undefined ? 0 : s.note.length + 1)));
  const plotW = 520;
  const plotH = 300;
  const left = 70;
  const top = 56;
  const height = top + plotH + 50;
  const width = left + plotW + 50 + legendW;
  const steps = Math.max(1, ...chart.series.map((s) => s.values.length));
  const max = Math.max(1e-12, ...chart.series.flatMap((s) => s.values));
  const x = (i: number): number => left + (steps === 1 ? plotW / 2 : (i / (steps - 1)) * plotW);
  const y = (v: number): number => top + plotH - (Math.max(0, v) / max) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(chart.title)}</text>`,
    `<text x="12" y="38" fill="#555">${esc(chart.unit)}</text>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#888"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end" fill="#555">${esc(max.toPrecision(3))}</text>`,
    `<text x="${left - 6}" y="${top + plotH}" text-anchor="end" fill="#555">0</text>`,
    `<text x="${left}" y="${top + plotH + 18}" text-anchor="middle" fill="#555">1</text>`,
    `<text x="${left + plotW}" y="${top + plotH + 18}" text-anchor="middle" fill="#555">${steps}</text>`,
    `<text x="${left + plotW / 2}" y="${top + plotH + 36}" text-anchor="middle" fill="#555">${esc(chart.xLabel)}</text>`,
  ];
  chart.series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dash = k % 2 === 1 ? ' stroke-dasharray="7 5"' : '';
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${points}"/>`);
    const ly = top + 8 + k * 18;
    parts.push(`<line x1="${left + plotW + 14}" x2="${left + plotW + 34}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"${dash}/>`);
    parts.push(`<text x="${left + plotW + 40}" y="${ly + 4}">${esc(s.note === undefined ? s.label : `${s.label} ${s.note}`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
