// The line-needle scorer itself, on small hand-written cases.
import { describe, expect, it } from 'vitest';
import { lineRetention, normaliseLine, parseGroundTruth, universalLines } from './lines.js';

describe('line-needle retention', () => {
  it('finds a needle that is present', () => {
    const input = 'start\nERROR disk full\nend';
    expect(lineRetention(input, 'start\nERROR disk full\n[… 1 line omitted …]', [2])).toEqual({ total: 1, present: 1, missing: [] });
  });

  it('reports a needle that is absent', () => {
    const input = 'start\nERROR disk full\nend';
    expect(lineRetention(input, 'start\nend', [1, 2, 3])).toEqual({ total: 3, present: 2, missing: [2] });
  });

  it('does not count a needle that only appears inside a marker', () => {
    const input = 'a\ngo: downloading x v1\nb';
    const output = 'a\n[… 3 lines like: go: downloading x v1 …]\nb';
    expect(lineRetention(input, output, [2]).missing).toEqual([2]);
    expect(lineRetention(input, 'a [… go: downloading x v1 …] go: downloading x v1', [2]).missing).toEqual([]);
  });

  it('finds a needle after ANSI stripping, timestamp removal and whitespace collapsing', () => {
    const input = '2022-04-13T14:52:46.9542326Z \x1b[1;31mERROR\x1b[m   build   failed';
    expect(lineRetention(input, 'ERROR build failed [×3]', [1]).present).toBe(1);
    expect(lineRetention(input, '10:00:01 \x1b[31mERROR build\tfailed\x1b[0m', [1]).present).toBe(1);
    expect(normaliseLine('[2015-10-18 18:01:47,978]  INFO  x')).toBe('INFO x');
    expect(normaliseLine('Dec 10 06:55:46 host sshd[1]: ok')).toBe('host sshd[1]: ok');
  });

  it('numbers lines with universal newlines', () => {
    expect(universalLines('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c', 'd']);
    expect(lineRetention('x\rERROR y\r\nz', 'ERROR y', [2]).present).toBe(1);
  });

  it('treats blank needles as present and parses ground truth', () => {
    expect(lineRetention('a\n\nb', 'a', [2]).present).toBe(1);
    expect(parseGroundTruth('DEFAULT\nE 3-5\nC 2\nE 9\n')).toEqual({ flavour: 'DEFAULT', error: [3, 4, 5, 9], context: [2] });
  });
});
