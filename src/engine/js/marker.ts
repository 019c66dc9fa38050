// Every omission marker's wording, in one place (twin of marker.rs).
// A marker is a text line, or a whole JSON string element, that begins with `[…` and ends with `…]`.

export const OPEN = '[…';
export const CLOSE = '…]';

/** True when `text` has the one recognisable marker form. */
export function isMarker(text: string): boolean {
  return text.startsWith(OPEN) && text.endsWith(CLOSE) && text.length >= OPEN.length + CLOSE.length;
}

/** A dropped run of JSON array items, as one string element in the run's place. */
export function jsonItemsOmitted(count: number, summary: string): string {
  const noun = count === 1 ? 'item' : 'items';
  return summary === '' ? `${OPEN} ${count} ${noun} omitted ${CLOSE}` : `${OPEN} ${count} ${noun} omitted: ${summary} ${CLOSE}`;
}

/** Appended to the kept prefix of a cut JSON string: the string's full length. */
export function jsonStringCut(totalBytes: number): string {
  return `${OPEN} string cut: ${totalBytes} bytes in full ${CLOSE}`;
}

/** One value's count in a JSON run summary: `ok×37`. */
export function jsonValueCount(value: string, count: number): string {
  return `${value}×${count}`;
}

/** A range in a JSON run summary, from the original texts of its ends: `12–48`. */
export function jsonRange(min: string, max: string): string {
  return min === max ? min : `${min}–${max}`;
}

/** How many values a JSON run summary leaves unnamed: `+3 more`. */
export function jsonMoreValues(count: number): string {
  return `+${count} more`;
}
