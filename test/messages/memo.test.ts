// The memo: a bounded LRU keyed by each text's digest.
import { describe, expect, it } from 'vitest';
import type { BlockResult } from '../../src/engine/types.js';
import { Memo } from '../../src/messages/memo.js';

const result = (content: string, modified = true): BlockResult => ({ content, kind: 'log', tokensBefore: 10, tokensAfter: 5, modified, strategy: 's', omitted: [] });

describe('Memo', () => {
  it('remembers results per settings key, kinds and numbers, by exact text', () => {
    const memo = new Memo();
    memo.setResult('abc', 'k1', result('a'));
    memo.setKind('abc', 'json');
    memo.setNumber('abc', 'o200k_base', 7);
    expect(memo.result('abc', 'k1')?.content).toBe('a');
    expect(memo.result('abc', 'k2')).toBeUndefined();
    expect(memo.result('abd', 'k1')).toBeUndefined();
    expect(memo.kind('abc')).toBe('json');
    expect(memo.number('abc', 'o200k_base')).toBe(7);
    expect(memo.number('abc', 'cl100k_base')).toBeUndefined();
  });

  it('evicts the least recently used texts beyond maxEntries', () => {
    const memo = new Memo({ maxEntries: 3, maxChars: 1e9 });
    for (const t of ['a', 'b', 'c']) memo.setKind(t, 'text');
    expect(memo.kind('a')).toBe('text'); // a is now the most recent
    memo.setKind('d', 'text');
    expect(memo.size).toBe(3);
    expect(memo.kind('b')).toBeUndefined();
    expect(memo.kind('a')).toBe('text');
  });

  it('bounds the characters held by what it keeps: compressed forms, not the texts they came from', () => {
    // An entry costs its 16-unit key and 128; a result 128 and its content.
    const memo = new Memo({ maxEntries: 100, maxChars: 700 });
    memo.setResult('x'.repeat(100_000), 'k', result('y'.repeat(10)));
    memo.setResult('z'.repeat(100_000), 'k', result('w'.repeat(10), false));
    expect(memo.size).toBe(2); // 2 × 144 + 138 + 128: the long texts themselves cost nothing
    memo.setResult('v', 'k', result('u'.repeat(100)));
    expect(memo.size).toBe(2); // + 144 + 228 > 700: the oldest went
    expect(memo.result('x'.repeat(100_000), 'k')).toBeUndefined();
    expect(memo.result('z'.repeat(100_000), 'k')?.content).toBe('z'.repeat(100_000));
    // One result larger than the bound is still kept (the newest entry is never evicted).
    memo.setResult('q', 'k', result('r'.repeat(1000)));
    expect(memo.result('q', 'k')?.content).toBe('r'.repeat(1000));
    expect(memo.size).toBe(1);
  });

  it('tells apart texts that differ only in a lone surrogate, and a scope answers as the memo does', () => {
    const memo = new Memo();
    memo.setNumber('a\ud800b', 'n', 1);
    memo.setNumber('a\udc00b', 'n', 2);
    memo.setNumber('a\ufffdb', 'n', 3);
    const scope = memo.scope();
    expect([scope.number('a\ud800b', 'n'), scope.number('a\udc00b', 'n'), scope.number('a\ufffdb', 'n')]).toEqual([1, 2, 3]);
    scope.setKind('log text', 'log');
    expect(memo.kind('log text')).toBe('log');
  });

  it('keeps only a few settings per text', () => {
    const memo = new Memo();
    for (let k = 0; k < 6; k++) memo.setResult('t', `k${k}`, result(`r${k}`));
    expect(memo.result('t', 'k0')).toBeUndefined();
    expect(memo.result('t', 'k1')).toBeUndefined();
    expect(memo.result('t', 'k5')?.content).toBe('r5');
  });
});
