// CacheAligner: finds what changes between requests in a system prompt, scores the stable prefix,
// and moves volatile lines to a trailing block without losing or altering any line.
import { describe, expect, it } from 'vitest';
import { CacheAligner, type SystemTextBlock } from '../../src/cache/aligner.js';

const aligner = new CacheAligner();

describe('analyze', () => {
  it('finds dates, times, UUIDs, request ids, JWTs and digests', () => {
    const system = [
      'You are a support agent.',
      'Current date: Monday, November 24, 2026 at 4:50 PM UTC.',
      'Session 3f2b9c1e-8d4a-4e6b-9a7c-0123456789ab started 2026-11-24T16:50:03Z.',
      'request_id: req_01HXYZabcdef1234',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'build 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'epoch 1764003003',
    ].join('\n');
    const kinds = aligner.analyze(system).volatile.map((v) => v.kind);
    for (const k of ['date', 'time', 'uuid', 'datetime', 'request-id', 'jwt', 'hex-digest', 'unix-timestamp'] as const) {
      expect(kinds).toContain(k);
    }
  });

  it('scores the share of the prompt before the first volatile value', () => {
    expect(aligner.analyze('You are helpful. Be concise.')).toEqual({ score: 1, volatile: [] });
    expect(aligner.analyze('2026-11-24: You are helpful.').score).toBe(0);
    const text = `${'x'.repeat(89)} 2026-11-24`;
    expect(aligner.analyze(text).score).toBeCloseTo(0.9);
    expect(aligner.analyze([{ type: 'text', text: 'z'.repeat(50) }, { type: 'text', text: 'id 3f2b9c1e-8d4a-4e6b-9a7c-0123456789ab' }]).score).toBeCloseTo(53 / 89);
  });

  it('does not flag ordinary numbers and words', () => {
    expect(aligner.analyze('Use at most 3 tools, version 2.1, port 8080, limit 1000 rows.').volatile).toEqual([]);
  });

  it('rejects a malformed system prompt', () => {
    expect(() => aligner.analyze(42 as never)).toThrow(TypeError);
    expect(() => aligner.analyze([{ type: 'text', text: 5 }] as never)).toThrow(/system\[0\]\.text/);
  });
});

describe('moveDynamicToTail', () => {
  const system = 'You are a coding agent.\nToday is 2026-11-24.\nAlways run the tests.\nRequest id: req_01HXYZabcdef1234';

  it('keeps every line, stable lines first with a breakpoint, volatile lines in a trailing block', () => {
    const out = aligner.moveDynamicToTail(system) as SystemTextBlock[];
    expect(out).toEqual([
      { type: 'text', text: 'You are a coding agent.\nAlways run the tests.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Today is 2026-11-24.\nRequest id: req_01HXYZabcdef1234' },
    ]);
    const lines = (s: string): string[] => s.split('\n').sort();
    expect(lines(out.map((b) => b.text).join('\n'))).toEqual(lines(system));
    expect(aligner.analyze(out).score).toBeGreaterThan(aligner.analyze(system).score);
  });

  it('returns the same prompt when nothing is volatile, and keeps the caller’s markers', () => {
    const stable = 'You are helpful.';
    expect(aligner.moveDynamicToTail(stable)).toBe(stable);
    const blocks: SystemTextBlock[] = [
      { type: 'text', text: 'Rules.', cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'Now: 2026-11-24 10:00' },
    ];
    expect(aligner.moveDynamicToTail(blocks)).toEqual([blocks[0], { type: 'text', text: 'Now: 2026-11-24 10:00' }]);
    expect(aligner.moveDynamicToTail(system, false)).toEqual([
      { type: 'text', text: 'You are a coding agent.\nAlways run the tests.' },
      { type: 'text', text: 'Today is 2026-11-24.\nRequest id: req_01HXYZabcdef1234' },
    ]);
  });
});
