// Naming a lossy block's key in its markers. The engines' markers all have one form, `[… … …]` (a
// line, part of a line, or a JSON string), so the note goes in after the engine is done, the same
// way for both engines and every compressor: before the first marker's closing `…]`, where a JSON
// string needs no escaping for it and the marker keeps its form (so compressing the output again
// still recognises it as compressed).

import { RETRIEVE_TOOL_NAME, retrievalNote } from './markers.js';

/** A marker: from `[… ` to the nearest ` …]` on the same line. */
const MARKER = /\[… [^\n\r]*? …\]/g;
const CLOSE = ' …]';

/**
 * `compressed` with `key` named in its first marker, or undefined when the compressor left no marker
 * of its own (text that already stood in the original block, marker-like or not, is not one).
 */
export function annotateMarkers(compressed: string, original: string, key: string): string | undefined {
  const mayQuote = original.includes('[…');
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(compressed); m !== null; m = MARKER.exec(compressed)) {
    if (mayQuote && original.includes(m[0])) continue;
    const close = m.index + m[0].length - CLOSE.length;
    return compressed.slice(0, close) + retrievalNote(key) + compressed.slice(close);
  }
  return undefined;
}

const NOTE_START = ` · ${RETRIEVE_TOOL_NAME} key=`;

/**
 * True when `text` carries a retrieval note: it is headroom's own compressed output (sent back by
 * an application that kept it), which is never compressed again. The compressors recognise their
 * markers themselves, but a note can take a block past `maxBlockTokens`, where a second pass would
 * otherwise select again.
 */
export function carriesNote(text: string): boolean {
  return text.includes(NOTE_START);
}
