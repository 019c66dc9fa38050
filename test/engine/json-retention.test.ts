// The JSON retention scorer (test support) on small hand-written outputs.
import { describe, expect, it } from 'vitest';
import { cutPrefix, decodeOutput, isMarker, jsonRetention, octokitNeedles, type JsonNeedle } from '../support/retention/json.js';

const needle = (fields: JsonNeedle['fields'], error = false): JsonNeedle => ({ fields, error });

describe('JSON retention scorer', () => {
  it('finds a needle whose identifying values are fields of one object', () => {
    const out = JSON.stringify([{ method: 'GET', path: '/a', status: 404, extra: 1 }, { method: 'GET', path: '/b', status: 200 }]);
    const r = jsonRetention(out, [needle({ method: 'GET', path: '/a', status: 404 }, true), needle({ method: 'GET', path: '/b', status: 200 })]);
    expect(r).toMatchObject({ present: 2, total: 2, errorPresent: 1, errorTotal: 1, missing: [] });
  });

  it('does not combine values from different objects', () => {
    const out = JSON.stringify([{ method: 'GET', path: '/a', status: 200 }, { method: 'GET', path: '/b', status: 404 }]);
    const r = jsonRetention(out, [needle({ method: 'GET', path: '/a', status: 404 }, true)]);
    expect(r.present).toBe(0);
    expect(r.errorPresent).toBe(0);
  });

  it('ignores marker text, even when it names the values', () => {
    const out = JSON.stringify([{ path: '/x', status: 200 }, '[… 3 items omitted: path /a×3; status 404×3 …]']);
    expect(jsonRetention(out, [needle({ path: '/a', status: 404 }, true)]).present).toBe(0);
    const field = JSON.stringify({ path: '[… /a …]', status: 404 });
    expect(jsonRetention(field, [needle({ path: '[… /a …]', status: 404 })]).present).toBe(0);
  });

  it('reads TOON tables with marker lines', () => {
    const out = 'rows[2]{method,path,status}:\n  GET,/a,404\n  [… 5 items omitted: status 200×5 …]\n  GET,/z,200\ntotal: 7';
    expect(decodeOutput(out)).toEqual({ rows: [{ method: 'GET', path: '/a', status: 404 }, { method: 'GET', path: '/z', status: 200 }], total: 7 });
    const r = jsonRetention(out, [needle({ path: '/a', status: 404 }, true), needle({ path: '/q', status: 200 })]);
    expect(r.present).toBe(1);
    expect(r.missing).toEqual([needle({ path: '/q', status: 200 })]);
  });

  it('treats a cut string as not equal to the full value', () => {
    const out = JSON.stringify([{ id: 1, body: 'abc[… string cut: 9000 bytes in full …]' }]);
    expect(jsonRetention(out, [needle({ id: 1, body: 'abcdef' })]).present).toBe(0);
    expect(cutPrefix('abc[… string cut: 9000 bytes in full …]')).toBe('abc');
    expect(cutPrefix('[… 3 items omitted …]')).toBeUndefined();
    expect(isMarker('[… 3 items omitted …]')).toBe(true);
    expect(isMarker('x [… 3 items omitted …]')).toBe(false);
  });

  it('takes octokit exchanges as needles, 4xx and 5xx as errors', () => {
    const fixture = [
      { method: 'get', path: '/a', status: 200, response: {} },
      { method: 'get', path: '/b', status: 404, response: { message: 'Not Found' } },
      { method: 'put', path: '/c', status: 502 },
    ];
    expect(octokitNeedles(fixture).map((n) => n.error)).toEqual([false, true, true]);
    expect(octokitNeedles({ not: 'an array' })).toEqual([]);
  });
});
