// Every omission marker's wording, in one place (twin of marker.rs).
// A marker is a text line, or a whole JSON string element, that begins with `[…` and ends with `…]`.

export const OPEN = '[…';
export const CLOSE = '…]';

/** True when `text` has the one recognisable marker form. */
export function isMarker(text: string): boolean {
  return text.startsWith(OPEN) && text.endsWith(CLOSE) && text.length >= OPEN.length + CLOSE.length;
}
