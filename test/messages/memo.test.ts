// The memo: a bounded LRU keyed by the text itself.
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

  it('bounds the characters held, counting texts and compressed forms', () => {
    const memo = new Memo({ maxEntries: 100, maxChars: 45 });
    memo.setResult('x'.repeat(20), 'k', result('y'.repeat(10)));
    memo.setResult('z'.repeat(20), 'k', result('w'.repeat(10), false));
    expect(memo.size).toBe(1); // 20 + 10 + 20 > 45: the oldest went
    expect(memo.result('z'.repeat(20), 'k')).toBeDefined();
    // One text larger than the bound is still kept (the newest entry is never evicted).
    memo.setKind('q'.repeat(80), 'text');
    expect(memo.kind('q'.repeat(80))).toBe('text');
    expect(memo.size).toBe(1);
  });

  it('keeps only a few settings per text', () => {
    const memo = new Memo();
    for (let k = 0; k < 6; k++) memo.setResult('t', `k${k}`, result(`r${k}`));
    expect(memo.result('t', 'k0')).toBeUndefined();
    expect(memo.result('t', 'k1')).toBeUndefined();
    expect(memo.result('t', 'k5')?.content).toBe('r5');
  });
});
