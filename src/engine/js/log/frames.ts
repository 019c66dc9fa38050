// Stack-trace lines (twin of frames.rs): Java and JS `at …` frames, `Caused by:`, Python's
// `Traceback` and `File "…", line N`, Go's goroutine headers and `file.go:N` lines, Rust
// backtraces, Ruby's `from …:in`, PHP's `#N …`. Some shapes are frames only next to another line:
// `classify` links them.

import { C_COLON, C_DOT, C_LPAREN, C_SPACE, isDigit } from '../chars.js';
import { isBlank } from '../lines.js';
import { digits } from './timestamp.js';

/** Shapes that make a line part of a stack trace on its own or with a neighbour. */
export const Shape = { None: 0, Frame: 1, PyFile: 2, GoFile: 3, GoFunc: 4, Carets: 5 } as const;
export type Shape = (typeof Shape)[keyof typeof Shape];

const TRACE_PREFIXES = ['Caused by: ', 'Caused: ', 'Suppressed: ', 'Traceback (most recent call last)', 'stack backtrace:', 'created by '];

export function frameShape(u: string, indent: number): Shape {
  const first = u[0];
  if (indent > 0 && u.startsWith('at ') && u.length > 3 && !isBlank(u.charCodeAt(3))) {
    for (let i = 3; i < u.length; i++) {
      const c = u.charCodeAt(i);
      if (c === C_LPAREN || c === C_DOT || c === C_COLON) return Shape.Frame;
    }
  }
  if (u.startsWith('... ')) {
    const d = digits(u, 4, 1, 9);
    if (d >= 0 && (u.startsWith(' more', d) || u.startsWith(' common', d))) return Shape.Frame;
  }
  if (first === 'C' || first === 'S' || first === 'T' || first === 's' || first === 'c') {
    for (const p of TRACE_PREFIXES) if (u.startsWith(p)) return Shape.Frame;
  }
  if (u.startsWith('goroutine ')) {
    const d = digits(u, 10, 1, 12);
    if (d >= 0 && u.startsWith(' [', d)) return Shape.Frame;
  }
  if (u.startsWith('File "') && u.includes('", line ')) return Shape.PyFile;
  if (indent > 0) {
    const p = u.indexOf('.go:');
    if (p >= 0 && isDigit(u.charCodeAt(p + 4))) return Shape.GoFile;
    if (indent >= 2) {
      // Rust backtrace frames: `  12: core::panicking::panic`
      const d = digits(u, 0, 1, 4);
      if (d >= 0 && u.startsWith(': ', d) && u.length > d + 2) return Shape.Frame;
    }
  }
  if (u.startsWith('from ') && u.includes(':in ')) return Shape.Frame;
  if (first === '#') {
    const d = digits(u, 1, 1, 4);
    if (d >= 0 && u.charCodeAt(d) === C_SPACE && (u.includes('): ') || u.includes('{main}'))) return Shape.Frame;
  }
  if (first === '^' || first === '~') {
    let carets = true;
    for (let i = 0; i < u.length && carets; i++) {
      const c = u[i];
      carets = c === '^' || c === '~' || c === ' ';
    }
    if (carets) return Shape.Carets;
  }
  if (indent === 0 && u.endsWith(')')) {
    const p = u.indexOf('(');
    if (p > 0) {
      let blank = false;
      let dot = false;
      for (let i = 0; i < p; i++) {
        const c = u.charCodeAt(i);
        if (isBlank(c)) blank = true;
        if (c === C_DOT) dot = true;
      }
      if (!blank && dot) return Shape.GoFunc;
    }
  }
  return Shape.None;
}
