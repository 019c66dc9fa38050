// countMessageTokens: the documented convention, images and PDFs by their own estimates.
import { describe, expect, it } from 'vitest';
import { countMessageTokens, countTokens } from '../../src/index.js';
import { claudeImageTokens, imageSize, openAIImageTokens, pdfPages } from '../../src/messages/media.js';

/** Base64 of a minimal PNG header (signature + IHDR) of the given size, padded with zeros. */
function png(width: number, height: number, padding = 0): string {
  const bytes = new Uint8Array(33 + padding);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return Buffer.from(bytes).toString('base64');
}

function jpeg(width: number, height: number): string {
  const app0 = [0xff, 0xe0, 0, 16, ...Array.from({ length: 14 }, () => 0)];
  const sof = [0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3, ...Array.from({ length: 9 }, () => 0)];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]).toString('base64');
}

describe('countMessageTokens', () => {
  it('is texts plus 3 per message, 3 per structural block and 3 per request', () => {
    expect(countMessageTokens([{ role: 'user', content: 'hello world' }])).toBe(2 + 3 + 3);
    const toolUse = [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'grep', input: { q: 'x' } }] }] as const;
    expect(countMessageTokens(toolUse)).toBe(3 + 3 + 3 + countTokens('grep') + countTokens('{"q":"x"}'));
    const openai = [{ role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'grep', arguments: '{"q":"x"}' } }] }] as const;
    expect(countMessageTokens(openai)).toBe(countMessageTokens(toolUse));
    expect(countMessageTokens([{ role: 'user', content: 'hello world' }], { model: 'gpt-4' })).toBe(countTokens('hello world', { model: 'gpt-4' }) + 6);
  });

  it('counts images by their pixel size, never their base64 text', () => {
    const data = png(1000, 750, 300_000);
    const anthropic = [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }] }] as const;
    expect(countMessageTokens(anthropic)).toBe(1000 + 3 + 3);
    const openai = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } }] }] as const;
    expect(countMessageTokens(openai)).toBe(85 + 170 * 4 + 6);
    const low = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }] }] as const;
    expect(countMessageTokens(low)).toBe(85 + 6);
  });

  it('reads sizes of PNG, JPEG, GIF and WebP, and follows Claude and OpenAI resizing', () => {
    expect(imageSize(png(640, 480))).toEqual({ width: 640, height: 480 });
    expect(imageSize(jpeg(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    const gif = Buffer.from([...Buffer.from('GIF89a'), 10, 0, 20, 0, ...Array.from({ length: 30 }, () => 0)]).toString('base64');
    expect(imageSize(gif)).toEqual({ width: 10, height: 20 });
    const webp = Buffer.alloc(40);
    webp.write('RIFF', 0);
    webp.write('WEBPVP8X', 8);
    webp.writeUIntLE(799, 24, 3);
    webp.writeUIntLE(599, 27, 3);
    expect(imageSize(webp.toString('base64'))).toEqual({ width: 800, height: 600 });
    expect(imageSize('bm90IGFuIGltYWdl')).toBeUndefined();
    expect(claudeImageTokens({ width: 200, height: 200 })).toBe(54);
    // Long edge over 1568 and ~1.15 MP: resized before counting.
    expect(claudeImageTokens({ width: 4000, height: 3000 })).toBeLessThanOrEqual(1534);
    expect(claudeImageTokens(undefined)).toBe(1600);
    expect(openAIImageTokens({ width: 4096, height: 4096 }, 'high')).toBe(85 + 170 * 4);
  });

  it('counts PDFs by pages', () => {
    const pdf = (pages: number): string => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Pages /Count ${pages} >>\n${'2 0 obj << /Type /Page >>\n'.repeat(pages)}`).toString('base64');
    expect(pdfPages(pdf(3))).toBe(3);
    const doc = [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf(2) } }] }] as const;
    expect(countMessageTokens(doc)).toBe(2 * 3000 + 3 + 6);
    const text = [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello world' } }] }] as const;
    expect(countMessageTokens(text)).toBe(2 + 3 + 6);
  });
});
