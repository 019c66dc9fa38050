// The JS engine's stand-in for the Rust writers' `String`: output built from millions of small
// pieces. Appending to a JS string makes a rope node per piece, and the garbage collector then
// dominates; this buffer copies UTF-16 units into one growing array and decodes it once.

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf16 = littleEndian ? new TextDecoder('utf-16le', { ignoreBOM: true }) : undefined;

export class TextBuffer {
  private units = new Uint16Array(1024);
  private n = 0;

  constructor(capacity = 1024) {
    this.units = new Uint16Array(Math.max(16, capacity));
  }

  /** UTF-16 units written so far. */
  get length(): number {
    return this.n;
  }

  private reserve(extra: number): void {
    if (this.n + extra <= this.units.length) return;
    const next = new Uint16Array(Math.max(this.units.length * 2, this.n + extra));
    next.set(this.units.subarray(0, this.n));
    this.units = next;
  }

  /** UTF-8 bytes of the units written from `from` on. */
  utf8Since(from: number): number {
    const u = this.units;
    let bytes = this.n - from;
    for (let i = from; i < this.n; i++) {
      const c = u[i]!;
      if (c >= 0x80) bytes += c < 0x800 ? 1 : (c & 0xf800) === 0xd800 ? 1 : 2;
    }
    return bytes;
  }

  /** Appends a string. */
  add(s: string): void {
    const len = s.length;
    this.reserve(len);
    const u = this.units;
    let n = this.n;
    for (let i = 0; i < len; i++) u[n++] = s.charCodeAt(i);
    this.n = n;
  }

  /** Appends `text.slice(start, end)` without making the slice. */
  addSlice(text: string, start: number, end: number): void {
    this.reserve(end - start);
    const u = this.units;
    let n = this.n;
    for (let i = start; i < end; i++) u[n++] = text.charCodeAt(i);
    this.n = n;
  }

  /** Appends one UTF-16 unit. */
  addCode(c: number): void {
    this.reserve(1);
    this.units[this.n++] = c;
  }

  /** Appends `count` spaces. */
  addSpaces(count: number): void {
    this.reserve(count);
    this.units.fill(32, this.n, this.n + count);
    this.n += count;
  }

  toString(): string {
    const view = this.units.subarray(0, this.n);
    if (utf16 !== undefined) return utf16.decode(view);
    let out = '';
    for (let i = 0; i < view.length; i += 8192) out += String.fromCharCode(...view.subarray(i, i + 8192));
    return out;
  }
}
