// Token estimates for images and PDFs, which are never counted as their base64 text: an image by
// its pixel size (read from the first bytes of PNG, GIF, JPEG or WebP data), a PDF by its pages.

/** Width and height in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** Claude resizes images whose long edge exceeds this. */
const CLAUDE_MAX_EDGE = 1568;
/** …and those above about this many pixels. */
const CLAUDE_MAX_PIXELS = 1_150_000;
/** Claude: an image costs about width × height / 750 tokens. */
const CLAUDE_PIXELS_PER_TOKEN = 750;
/** An image of unknown size on Claude: about the most an image costs after resizing. */
export const CLAUDE_IMAGE_TOKENS = 1600;

/** OpenAI: a low-detail image, and the base and per-512px-tile cost of a high-detail one. */
const OPENAI_LOW_DETAIL = 85;
const OPENAI_TILE = 170;
/** An image of unknown size on OpenAI: a 1024×1024 image at high detail (4 tiles). */
export const OPENAI_IMAGE_TOKENS = OPENAI_LOW_DETAIL + 4 * OPENAI_TILE;

/** A PDF page: its text plus the page image Claude also sees. */
export const PDF_PAGE_TOKENS = 3000;
/** Bytes per page assumed when the page objects cannot be read (compressed object streams). */
const PDF_BYTES_PER_PAGE = 100_000;

/** Base64 characters decoded to find an image's size (JPEG size markers may follow EXIF data). */
const HEADER_CHARS = 96 * 1024;

/** Claude's estimate for an image: by size after its resizing rule, or the unknown-size cost. */
export function claudeImageTokens(size: ImageSize | undefined): number {
  if (size === undefined) return CLAUDE_IMAGE_TOKENS;
  let { width, height } = size;
  const edge = Math.max(width, height);
  if (edge > CLAUDE_MAX_EDGE) {
    width = (width * CLAUDE_MAX_EDGE) / edge;
    height = (height * CLAUDE_MAX_EDGE) / edge;
  }
  if (width * height > CLAUDE_MAX_PIXELS) {
    const scale = Math.sqrt(CLAUDE_MAX_PIXELS / (width * height));
    width *= scale;
    height *= scale;
  }
  return Math.max(1, Math.ceil((width * height) / CLAUDE_PIXELS_PER_TOKEN));
}

/** OpenAI's published rule: low detail is flat; otherwise fit 2048², shortest side 768, 512px tiles. */
export function openAIImageTokens(size: ImageSize | undefined, detail: unknown): number {
  if (detail === 'low') return OPENAI_LOW_DETAIL;
  if (size === undefined) return OPENAI_IMAGE_TOKENS;
  let { width, height } = size;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  width *= fit;
  height *= fit;
  const shrink = Math.min(1, 768 / Math.min(width, height));
  width *= shrink;
  height *= shrink;
  return OPENAI_LOW_DETAIL + OPENAI_TILE * Math.ceil(width / 512) * Math.ceil(height / 512);
}

/** The pixel size of PNG, GIF, JPEG or WebP image data, or undefined when it cannot be read. */
export function imageSize(base64: string): ImageSize | undefined {
  const b = decode(base64, HEADER_CHARS);
  if (b === undefined || b.length < 30) return undefined;
  const u8 = (i: number): number => b.charCodeAt(i);
  const be16 = (i: number): number => (u8(i) << 8) | u8(i + 1);
  const le16 = (i: number): number => u8(i) | (u8(i + 1) << 8);
  const le24 = (i: number): number => le16(i) | (u8(i + 2) << 16);
  const size = (width: number, height: number): ImageSize | undefined => (width > 0 && height > 0 ? { width, height } : undefined);
  if (b.startsWith('\x89PNG\r\n\x1a\n')) return size(be16(16) * 65536 + be16(18), be16(20) * 65536 + be16(22));
  if (b.startsWith('GIF87a') || b.startsWith('GIF89a')) return size(le16(6), le16(8));
  if (b.startsWith('RIFF') && b.slice(8, 12) === 'WEBP') {
    const chunk = b.slice(12, 16);
    if (chunk === 'VP8 ') return size(le16(26) & 0x3fff, le16(28) & 0x3fff);
    if (chunk === 'VP8L') return size(1 + (((u8(22) & 0x3f) << 8) | u8(21)), 1 + (((u8(24) & 0x0f) << 10) | (u8(23) << 2) | ((u8(22) & 0xc0) >> 6)));
    if (chunk === 'VP8X') return size(1 + le24(24), 1 + le24(27));
    return undefined;
  }
  if (u8(0) === 0xff && u8(1) === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (u8(i) !== 0xff) return undefined;
      const marker = u8(i + 1);
      if (marker === 0xff) {
        i++;
        continue;
      }
      // Start-of-frame markers carry the size; C4 (tables), C8 (reserved) and CC (arithmetic) do not.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return size(be16(i + 7), be16(i + 5));
      }
      i += (marker >= 0xd0 && marker <= 0xd9) || marker === 0x01 ? 2 : 2 + be16(i + 2);
    }
  }
  return undefined;
}

/** Pages of PDF data: its `/Type /Page` objects, or one per 100 KB when they are compressed away. */
export function pdfPages(base64: string): number {
  const b = decode(base64, Infinity);
  if (b === undefined) return Math.max(1, Math.ceil((base64.length * 3) / 4 / PDF_BYTES_PER_PAGE));
  const pages = b.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
  return pages > 0 ? pages : Math.max(1, Math.ceil(b.length / PDF_BYTES_PER_PAGE));
}

/** Decodes the first `chars` base64 characters to a binary string (one char per byte). */
function decode(base64: string, chars: number): string | undefined {
  let s = (chars < base64.length ? base64.slice(0, chars) : base64).replace(/[^A-Za-z0-9+/]/g, '');
  s = s.slice(0, s.length - (s.length % 4));
  try {
    return atob(s);
  } catch {
    return undefined;
  }
}
