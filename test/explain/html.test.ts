// The explain page in a real headless Chromium (Debian's `chromium`, installed by .ci/run): it
// loads with no network request at all, shows the original and the compressed text side by side
// with omitted spans shaded under their markers and a bar per reason, and a screenshot shows
// those colours where the elements are.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress } from '../../src/index.js';
import { explain, type Explanation } from '../../src/explain/explain.js';
import { COLORS, htmlReport, MARKER_SHADE, OMITTED_SHADE } from '../../src/explain/html.js';
import { orderRecords, serviceLog } from '../support/tool-output.js';

const CHROMIUM = process.env['HEADROOM_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`explain HTML tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set HEADROOM_CHROMIUM)`);

const work = mkdtempSync(join(tmpdir(), 'headroom-html-'));
let browser: Browser;
let explanation: Explanation;
let file: string;

beforeAll(async () => {
  if (!available) return;
  const messages = [
    { role: 'user' as const, content: 'Why did the payment worker fail, and which orders failed?' },
    {
      role: 'assistant' as const,
      content: [
        { type: 'tool_use', id: 't1', name: 'get_logs', input: { service: 'payment-worker' } },
        { type: 'tool_use', id: 't2', name: 'list_orders', input: {} },
      ],
    },
    {
      role: 'user' as const,
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: serviceLog(2000) },
        { type: 'tool_result', tool_use_id: 't2', content: orderRecords(500) },
      ],
    },
  ];
  const result = await compress(messages, { maxBlockTokens: 900 });
  explanation = explain(messages, result, 'anthropic');
  file = join(work, 'explain.html');
  writeFileSync(file, htmlReport(explanation, 'request.json'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: join(work, 'profile'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

type Rect = { x: number; y: number; width: number; height: number };

/** What the page-side functions use of the browser (the test compiles without the DOM library). */
interface PageElement {
  getBoundingClientRect(): { toJSON(): Rect };
  getClientRects(): ArrayLike<{ toJSON(): Rect }>;
  querySelector(selector: string): PageElement | null;
  textContent: string | null;
}
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface BrowserGlobals {
  document: { querySelector(selector: string): PageElement | null; createElement(tag: 'canvas'): Canvas };
  Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
}

/** RGB pixels of a PNG screenshot inside `rects`, decoded by the browser itself on a blank page. */
async function pixels(png: string, rects: Rect[]): Promise<number[][][]> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async (b64: string, areas: Rect[]) => {
        const { document, Image } = globalThis as unknown as BrowserGlobals;
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return areas.map((r) => {
          const data = ctx.getImageData(Math.round(r.x), Math.round(r.y), Math.max(1, Math.round(r.width)), Math.max(1, Math.round(r.height))).data;
          const out: number[][] = [];
          for (let i = 0; i < data.length; i += 4) out.push([data[i]!, data[i + 1]!, data[i + 2]!]);
          return out;
        });
      },
      png,
      rects,
    );
  } finally {
    await page.close();
  }
}

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const near = (p: number[], hex: string): boolean => rgb(hex).every((c, i) => Math.abs(c - p[i]!) <= 4);
const share = (ps: number[][], hex: string): number => ps.filter((p) => near(p, hex)).length / Math.max(1, ps.length);

async function openReport(): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000, deviceScaleFactor: 1 });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests };
}

describe.skipIf(!available)('the explain page in Chromium', () => {
  it('loads from the file alone: no other request', async () => {
    const { page, requests } = await openReport();
    expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([pathToFileURL(file).href]);
    await page.close();
  });

  it('has a section per block with both panes side by side, every unit, marker and bar', async () => {
    const { page } = await openReport();
    const sections = await page.$$eval('section.block', (els) => els.length);
    expect(sections).toBe(explanation.blocks.length);
    expect(sections).toBe(2);
    for (let i = 0; i < sections; i++) {
      const b = explanation.blocks[i]!;
      const counts = await page.$eval(`#b${i + 1}`, (s) => ({
        omitted: s.querySelectorAll('.pane.original .unit.omitted').length,
        kept: s.querySelectorAll('.pane.original .unit.kept').length,
        links: s.querySelectorAll('.pane.compressed a.marker').length,
        bars: s.querySelectorAll('.chart rect.bar').length,
      }));
      expect(counts.omitted).toBe(b.units.filter((u) => u.fate === 'omitted').length);
      expect(counts.kept).toBe(b.units.filter((u) => u.fate === 'kept').length);
      expect(counts.links).toBe(b.units.filter((u) => u.fate === 'omitted' && u.marker !== undefined).length);
      expect(counts.bars).toBe(b.chart.length);
      // Each marker on the right links to a shaded span on the left that shows the same marker.
      const pairs = await page.$$eval(`#b${i + 1} .pane.compressed a.marker`, (as) =>
        as.map((a) => [a.textContent, (globalThis as unknown as BrowserGlobals).document.querySelector(a.getAttribute('href')!)?.querySelector('.marker-label')?.textContent]),
      );
      for (const [right, left] of pairs) expect(left).toBe(right);
      const [original, compressed] = await Promise.all(['original', 'compressed'].map((p) => page.$eval(`#b${i + 1} .pane.${p}`, (el) => el.getBoundingClientRect().toJSON() as Rect)));
      expect(original!.x + original!.width).toBeLessThanOrEqual(compressed!.x);
      expect(original!.y).toBe(compressed!.y);
    }
    await page.close();
  });

  it('shows the shading, the markers and the bars in a screenshot', async () => {
    const { page } = await openReport();
    await page.$eval('#b1 .panes', (el) => el.scrollIntoView());
    await page.$eval('#b1 .pane.original .unit.omitted', (el) => el.scrollIntoView({ block: 'center' }));
    // The shaded text of the first omitted span (its lines after the marker), its marker, one marker on the right.
    const areas = await page.evaluate(() => {
      const span = (globalThis as unknown as BrowserGlobals).document.querySelector('#b1 .pane.original .unit.omitted')!;
      const rects = Array.from(span.getClientRects(), (r) => r.toJSON());
      const body = rects.slice(1).sort((a, b) => b.width - a.width)[0]!;
      const label = span.querySelector('.marker-label')!.getBoundingClientRect().toJSON();
      return { body, label };
    });
    const bars = await page.$$eval('#b1 .chart rect.bar', (rs) =>
      rs.map((r) => ({ key: r.getAttribute('data-key')!, box: r.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number } })),
    );
    await page.$eval('#b1 .chart', (el) => el.scrollIntoView());
    const barsAfter = await page.$$eval('#b1 .chart rect.bar', (rs) => rs.map((r) => r.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number }));
    const chartShot = (await page.screenshot({ encoding: 'base64' })) as string;
    await page.$eval('#b1 .pane.original .unit.omitted', (el) => el.scrollIntoView({ block: 'center' }));
    const paneShot = (await page.screenshot({ encoding: 'base64' })) as string;

    const [shade, label] = await pixels(paneShot, [areas.body, areas.label]);
    expect(share(shade!, OMITTED_SHADE)).toBeGreaterThan(0.4);
    expect(share(label!, MARKER_SHADE)).toBeGreaterThan(0.4);
    const barPixels = await pixels(chartShot, barsAfter.map((b) => ({ x: b.x + 1, y: b.y + b.height / 2, width: Math.max(1, b.width - 2), height: 1 })));
    bars.forEach((bar, k) => expect(share(barPixels[k]!, COLORS[bar.key as keyof typeof COLORS]), bar.key).toBeGreaterThan(0.9));
    await page.close();
  });
});
