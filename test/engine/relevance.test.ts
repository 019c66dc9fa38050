// Frequency-aware relevance (PRODUCT §4), identically in both engines: a query term weighs by its
// rarity among the block's lines, so a word on most lines (`api` in an API's log, `nova` in
// nova's log, grep's own pattern) changes nothing, and query hits compete for `maxBlockTokens`
// after errors instead of being kept whatever they cost.
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { compressBoth } from '../support/engines.js';
import { serviceLog } from '../support/tool-output.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

const ERROR_LINE = 'ERROR nova.compute.manager [req-9f1c2d3e - - - - -] [instance: 1d3b-b8f2] Instance failed to spawn: libvirtError: internal error';

/** `n` lines in the shape of OpenStack's nova logs (every line names its log file and `nova`), one error. */
function novaLog(n: number): string {
  const out: string[] = [];
  const two = (v: number): string => String(v).padStart(2, '0');
  for (let i = 0; i < n; i++) {
    const head = `nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:${two(Math.floor(i / 60) % 60)}:${two(i % 60)}.${String((i * 37) % 1000).padStart(3, '0')} ${2931 + (i % 3)}`;
    const req = `req-${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-2096-447d-96ea-a692162415ae`;
    if (i % 5 === 0) out.push(`${head} INFO nova.compute.manager [${req} - - - - -] [instance: ${(i * 7919).toString(16)}-b8f2] VM Started (Lifecycle Event)`);
    else if (i % 5 === 1) out.push(`${head} INFO nova.compute.resource_tracker [${req} - - - - -] Final resource view: phys_ram=64172MB used_ram=${512 + (i % 9) * 256}MB used_disk=${i % 7}GB`);
    else out.push(`${head} INFO nova.osapi_compute.wsgi.server [${req} 113d3a99c3da401fbd62cc2caa5b96d2 - - -] 10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200 len: ${1800 + (i % 200)} time: 0.${200000 + i * 13}`);
    if (i === Math.floor(n * 0.7)) out.push(`${head} ${ERROR_LINE}`);
  }
  return out.join('\n') + '\n';
}

/** grep output for `TODO`: `files` files of `per` matches each; the pattern is on every match. */
function todoGrep(files: number, per: number): string {
  const out: string[] = [];
  for (let f = 0; f < files; f++) for (let k = 0; k < per; k++) out.push(`src/module${f}/handler.ts:${10 + 3 * k}:  // TODO: remove legacy path ${(f * per + k) % 13} before release`);
  return out.join('\n') + '\n';
}

describe('a query word on most lines weighs nothing', () => {
  it("the README's tool-use example: {service: 'api'} over a 3 000-line service log compresses as with no query", () => {
    const log = serviceLog(3000);
    const asked = both(log, { query: '{"service":"api"}\nWhat went wrong?' });
    const plain = both(log, { query: '{}\nWhat went wrong?' });
    expect(asked.content).toBe(plain.content);
    expect(asked.tokensAfter).toBeLessThanOrEqual(defaults.maxBlockTokens);
    expect(asked.tokensAfter * 20).toBeLessThan(asked.tokensBefore);
    expect(asked.content).toContain('ERROR payment-worker: charge failed');
  });

  it.each([['{"command":"cat app.log"}'], ['{"command":"journalctl -u nova"}']])('a 2 000-line nova log read by %s is compressed, its error kept', (query) => {
    const log = novaLog(2000);
    const r = both(log, { query });
    expect(r.modified).toBe(true);
    expect(r.tokensAfter).toBeLessThanOrEqual(defaults.maxBlockTokens);
    expect(r.content).toContain(ERROR_LINE);
    expect(r.content).toBe(both(log).content);
  });

  it('grep output compressed with its own pattern as the query compresses as without it', () => {
    const grep = todoGrep(40, 50);
    const r = both(grep, { query: '{"pattern":"TODO","path":"src"}' });
    expect(r.tokensAfter).toBeLessThanOrEqual(defaults.maxBlockTokens);
    expect(r.content).toBe(both(grep).content);
  });
});

describe('query hits compete for the budget, errors first', () => {
  /** 3 000 distinct lines, one in eight about checkout (under the common share), one error. */
  function shopLog(): string[] {
    return Array.from({ length: 3000 }, (_, k) => {
      const t = `2026-11-24T10:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}Z`;
      if (k === 2100) return `${t} ERROR payments: card declined for order ${k}`;
      if (k % 8 === 3) return `${t} INFO cart ${k}: checkout started for customer c${(k * 31) % 997} with ${k % 9} items`;
      return `${t} INFO catalog: served product p${(k * 17) % 1009} to session s${(k * 13) % 503}`;
    });
  }

  it('a term on one line in eight keeps its lines only within maxBlockTokens', () => {
    const lines = shopLog();
    const r = both(lines.join('\n') + '\n', { maxBlockTokens: 1500, query: 'why did checkout fail?' });
    expect(r.tokensAfter).toBeLessThanOrEqual(1500);
    expect(r.content).toContain(lines[2100]);
    const kept = r.content.split('\n').filter((l) => l.includes('checkout started'));
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(375);
    // Without the query, the budget goes to other lines.
    expect(both(lines.join('\n') + '\n', { maxBlockTokens: 1500 }).content.split('\n').filter((l) => l.includes('checkout started')).length).toBeLessThan(kept.length);
  });

  it('a rare term keeps its line; grep rows with the rarest terms come first', () => {
    const lines = shopLog();
    lines[777] = lines[777]!.replace('catalog', 'catalog acme');
    const r = both(lines.join('\n') + '\n', { maxBlockTokens: 600, query: 'acme checkout' });
    expect(r.content).toContain(lines[777]);
    const grep = todoGrep(10, 60).replace('remove legacy path 5 before release', 'remove legacy acme path 5 before release');
    const s = both(grep, { maxBlockTokens: 700, query: 'TODO acme' });
    expect(s.content).toContain('acme');
  });
});
