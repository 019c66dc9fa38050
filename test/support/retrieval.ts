// Reading a retrievable block back as a model would: page after page, following each page's
// `[… N more lines … offset=… …]` tail, and gluing the pages together without their tails.
import { expect } from 'vitest';
import type { RetrievalAnswer, RetrieveInput } from '../../src/retrieval/answer.js';

const TAIL = /\n(\[… (\d+) more lines? \(\d+–\d+ of \d+\): headroom_retrieve key=hr_[a-z2-7]+ offset=(\d+) …\])$/;

/** Every page of `key`, glued; at most 10 000 pages. */
export async function readWhole(
  retrieve: (input: RetrieveInput) => Promise<RetrievalAnswer>,
  key: string,
  limit?: number,
): Promise<{ text: string; pages: number }> {
  let offset = 0;
  let text = '';
  for (let pages = 1; pages <= 10_000; pages++) {
    const answer = await retrieve({ key, offset, ...(limit === undefined ? {} : { limit }) });
    expect(answer.status).toBe('ok');
    const tail = TAIL.exec(answer.text);
    if (tail === null) return { text: text + answer.text, pages };
    text += answer.text.slice(0, answer.text.length - tail[1]!.length - 1);
    const next = Number(tail[3]);
    expect(next).toBeGreaterThan(offset);
    offset = next;
  }
  throw new Error('more than 10 000 pages');
}

/** The keys named in `text`'s markers, in order of appearance. */
export function markerKeys(text: string): string[] {
  return [...text.matchAll(/\[…[^\n]*? · headroom_retrieve key=(hr_[a-z2-7]{16}) …\]/g)].map((m) => m[1]!);
}
