// MemoryStore (bounded by bytes, least recently used out first, per-entry expiry), the retrieval
// keys (derived from content and settings, the same everywhere) and the stored record.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, KEY_PATTERN, retrievalKey } from '../../src/retrieval/key.js';
import { portableSha256Utf16, sha256Utf16 } from '../../src/retrieval/sha256.js';
import { MemoryStore } from '../../src/retrieval/store.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('MemoryStore', () => {
  it('holds a value until its time to live has passed', async () => {
    const c = clock();
    const store = new MemoryStore({ now: c.now });
    await store.set('a', 'alpha', 1000);
    c.advance(999);
    expect(await store.get('a')).toBe('alpha');
    c.advance(1);
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('touch renews a held key and says whether it held it', async () => {
    const c = clock();
    const store = new MemoryStore({ now: c.now });
    await store.set('a', 'alpha', 1000);
    c.advance(900);
    expect(await store.touch('a', 1000)).toBe(true);
    c.advance(900);
    expect(await store.get('a')).toBe('alpha');
    expect(await store.touch('missing', 1000)).toBe(false);
    c.advance(1000);
    expect(await store.touch('a', 1000)).toBe(false);
  });

  it('stays within maxBytes (UTF-8 of keys and values), pushing out the least recently used first', async () => {
    const store = new MemoryStore({ maxBytes: 30 });
    await store.set('a', 'x'.repeat(9), 60_000); // 10 bytes
    await store.set('b', 'y'.repeat(9), 60_000);
    await store.set('c', 'z'.repeat(9), 60_000);
    expect(store.bytes).toBe(30);
    // Reading `a` makes `b` the least recently used.
    expect(await store.get('a')).toBe('x'.repeat(9));
    await store.set('d', 'é'.repeat(4) + 'w', 60_000); // 1 + 9 bytes
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
    expect(await store.get('d')).toBe('é'.repeat(4) + 'w');
    expect(store.bytes).toBe(30);
    // A touch counts as a use too.
    await store.touch('a', 60_000);
    await store.set('e', '🙂'.repeat(2) + 'v', 60_000); // 1 + 9 bytes: `c` goes
    expect(await store.get('c')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(30);
  });

  it('replacing a key counts its bytes once', async () => {
    const store = new MemoryStore({ maxBytes: 100 });
    await store.set('k', 'x'.repeat(50), 1000);
    await store.set('k', 'x'.repeat(20), 1000);
    expect(store.bytes).toBe(21);
    expect(store.size).toBe(1);
  });

  it('refuses a value larger than maxBytes and keeps what it holds', async () => {
    const store = new MemoryStore({ maxBytes: 10 });
    await store.set('a', 'small', 1000);
    await expect(store.set('b', 'x'.repeat(10), 1000)).rejects.toThrow(/larger than maxBytes/);
    expect(await store.get('a')).toBe('small');
  });

  it('checks its options', () => {
    expect(() => new MemoryStore({ maxBytes: 0 })).toThrow(RangeError);
    expect(() => new MemoryStore({ maxBytes: 1.5 })).toThrow(/maxBytes/);
  });
});

describe('retrieval keys', () => {
  it('are hr_ and 16 base32 characters, the same for the same text and settings', () => {
    const key = retrievalKey('some block', 'settings');
    expect(key).toMatch(KEY_PATTERN);
    expect(retrievalKey('some block', 'settings')).toBe(key);
    expect(retrievalKey('some block.', 'settings')).not.toBe(key);
    expect(retrievalKey('some block', 'settings2')).not.toBe(key);
    // Text and settings are kept apart: moving a character across the boundary changes the key.
    expect(retrievalKey('x', 'ab')).not.toBe(retrievalKey('bx', 'a'));
  });

  it('tell apart texts that differ only in a lone surrogate', () => {
    expect(retrievalKey('a\ud800b', 's')).not.toBe(retrievalKey('a\ufffdb', 's'));
  });

  it('hash the same without Node’s crypto (the TypeScript SHA-256 gives Node’s digest)', () => {
    const texts = ['', 'abc', 'x'.repeat(27), 'x'.repeat(28), 'x'.repeat(32), 'y'.repeat(70_001), 'lone \ud800 and pair 🙂 and é'];
    for (const text of texts) {
      const node = createHash('sha256').update(text, 'utf16le').digest('hex');
      expect(Buffer.from(portableSha256Utf16([text])).toString('hex')).toBe(node);
      expect(Buffer.from(sha256Utf16([text.slice(0, 5), text.slice(5)])).toString('hex')).toBe(node);
    }
  });
});

describe('stored records', () => {
  it('carry the kind and the content exactly, lone surrogates included', () => {
    for (const content of ['line 1\r\nline 2\rline 3\n', '{"a":1}', 'lone \udc00 surrogate', '']) {
      const record = encodeRecord({ kind: 'log', content });
      expect(decodeRecord(record)).toEqual({ kind: 'log', content });
      // What a UTF-8 store gives back (Redis) still decodes to the same content.
      expect(decodeRecord(Buffer.from(record, 'utf8').toString('utf8'))).toEqual({ kind: 'log', content });
    }
  });

  it('reject what is not a record', () => {
    expect(decodeRecord('plain text')).toBeUndefined();
    expect(decodeRecord('headroom/1 nonsense\nx')).toBeUndefined();
    expect(decodeRecord('headroom/2 log\nx')).toBeUndefined();
  });
});
