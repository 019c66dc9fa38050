// Error blocks in CI output are kept whole by lossy log selection, identically in both engines:
// buildkit error boxes, multi-line messages, compiler gutters and carets, test-failure sections
// (pytest, jest, go, cargo), and the CI-log floor on the development corpus's labelled logs.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { corpusFiles, corpusPath, fullCorpus } from '../support/corpus.js';
import { compressBoth } from '../support/engines.js';
import { lineRetention, parseGroundTruth } from '../support/retention/lines.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

const ts = (k: number): string => `2024-05-01T10:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}.0000000Z`;

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** Ordinary CI chatter, each line of its own shape, so selection has plenty to drop. */
function chatter(from: number, count: number): string[] {
  const out: string[] = [];
  for (let k = from; k < from + count; k++) out.push(`${WORDS[k % 12]} step ${WORDS[(k * 7) % 12]} wrote ${k} objects to ${WORDS[(k * 5) % 12]}/cache`);
  return out;
}

/**
 * A CI log with `block` in the middle of `filler` ordinary lines on each side, compressed at a
 * budget too tight for anything but signal; returns the block's 1-based line numbers and the result.
 */
function compressAround(block: readonly string[], options: Partial<BlockOptions> = {}, after: readonly string[] = []): { input: string; lines: number[]; r: BlockResult } {
  const all = [...chatter(0, 300), ...block, ...after, ...chatter(300, 300)].map((l, k) => `${ts(k)} ${l}`);
  const input = all.join('\n') + '\n';
  const lines = block.map((_, k) => 301 + k);
  return { input, lines, r: both(input, { maxBlockTokens: 100, ...options }) };
}

/** Every line of the block is in the output (each occurrence of a repeated text counts once). */
function expectWhole(block: readonly string[], options: Partial<BlockOptions> = {}, after: readonly string[] = []): BlockResult {
  const { input, lines, r } = compressAround(block, options, after);
  expect(r.modified).toBe(true);
  expect(r.strategy).toBe('log:select');
  expect(lineRetention(input, r.content, lines).missing).toEqual([]);
  // The block stands in one piece: no marker inside it.
  const out = r.content.split('\n');
  const first = out.findIndex((l) => l.endsWith(block[0]!));
  expect(first).toBeGreaterThanOrEqual(0);
  const inside = out.slice(first, first + block.length);
  expect(inside.filter((l) => l.startsWith('[…'))).toEqual([]);
  return r;
}

describe('error blocks are kept whole under a tight budget', () => {
  it('keeps a buildkit error box, the Dockerfile excerpt box and the lines between them', () => {
    expectWhole([
      '#9 [2/3] RUN make build',
      '#9 0.412 make: *** No rule to make target \'build\'.  Stop.',
      '#9 ERROR: process "/bin/sh -c make build" did not complete successfully: exit code: 2',
      '------',
      ' > [2/3] RUN make build:',
      '0.412 make: *** No rule to make target \'build\'.  Stop.',
      '------',
      'Dockerfile:32',
      '--------------------',
      '  30 |     WORKDIR /src',
      '  31 |     COPY . .',
      '  32 | >>> RUN make build',
      '  33 |     ',
      '  34 |     FROM scratch',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c make build" did not complete successfully: exit code: 2',
    ]);
  });

  it('keeps a terraform error box', () => {
    expectWhole([
      '╷',
      '│ Error: Unsupported argument',
      '│ ',
      '│   on main.tf line 12, in resource "aws_s3_bucket" "logs":',
      '│   12:   acl_policy = "private"',
      '│ ',
      '│ An argument named "acl_policy" is not expected here.',
      '╵',
    ]);
  });

  it('keeps the gutter, source lines and carets of a rustc diagnostic', () => {
    expectWhole([
      'error[E0308]: mismatched types',
      ' --> src/main.rs:4:18',
      '  |',
      '4 |     let total: i32 = "forty";',
      '  |                ---   ^^^^^^^ expected `i32`, found `&str`',
      '  |                |',
      '  |                expected due to this',
      '  |',
      '  = note: expected type `i32` found reference `&\'static str`',
    ]);
  });

  it('keeps the source excerpt and underline of gcc and tsc diagnostics', () => {
    expectWhole([
      'src/parse.c: In function \'parse_header\':',
      'src/parse.c:41:9: error: \'hdr_len\' undeclared (first use in this function)',
      '   41 |         hdr_len = read_u16(buf);',
      '      |         ^~~~~~~',
    ]);
    expectWhole([
      'src/index.ts:3:7 - error TS2322: Type \'string\' is not assignable to type \'number\'.',
      '',
      '3 const port: number = process.env.PORT;',
      '        ~~~~',
    ]);
  });

  it('keeps the lines of a multi-line error message, indented or announced', () => {
    expectWhole([
      '[ERROR] Tests run: 4, Failures: 1',
      '[ERROR] checkTotals(org.shop.CartTest)  Time elapsed: 0.02 s  <<< FAILURE!',
      'java.lang.AssertionError: ',
      '',
      'Expected: a value greater than <0>',
      '     but: <0> was equal to <0>',
      '\tat org.shop.CartTest.checkTotals(CartTest.java:41)',
    ]);
    expectWhole([
      'Error: cannot apply the migration plan:',
      '  step 3 (add column owner_id) conflicts with step 5',
      '  step 5 expects table accounts to exist',
      '    hint: run migrate --from 2 to rebuild the plan',
    ]);
  });

  it('keeps a pytest failure section from its header to the next test', () => {
    expectWhole([
      '________________________ test_checkout_total ________________________',
      '',
      '    def test_checkout_total():',
      '        cart = Cart(items=[Item(3), Item(4)])',
      '>       assert cart.total() == 8',
      'E       assert 7 == 8',
      'E        +  where 7 = <bound method Cart.total of Cart(2 items)>()',
      '',
      'tests/test_cart.py:12: AssertionError',
      '----------------------- Captured stdout call ------------------------',
      'loading cart fixture from tests/fixtures/cart.json',
      'cart ready with 2 items',
    ], {}, ['=========================== short test summary info ============================']);
  });

  it('keeps a jest failure block and a go test failure with its output', () => {
    expectWhole([
      '  ● Cart › adds the tax to the total',
      '',
      '    expect(received).toBe(expected) // Object.is equality',
      '',
      '    Expected: 108',
      '    Received: 100',
      '',
      '      10 |   it(\'adds the tax to the total\', () => {',
      '      11 |     const cart = new Cart([100]);',
      '    > 12 |     expect(cart.total()).toBe(108);',
      '         |                          ^',
      '',
      '      at Object.<anonymous> (src/cart.test.js:12:26)',
    ]);
    expectWhole([
      '=== RUN   TestLoadConfig',
      '    config loaded from testdata/app.yaml',
      '    overriding port from environment',
      '    config_test.go:44: port = 8080, want 9090',
      '--- FAIL: TestLoadConfig (0.01s)',
    ]);
  });

  it('keeps the turns of a failed parallel go test, not those of the tests around it', () => {
    const block = [
      '=== RUN   TestHealth',
      '=== PAUSE TestHealth',
      '=== RUN   TestLogin',
      '=== CONT  TestHealth',
      '    fetching /healthz from 10.0.0.7',
      '    response body: upstream gone',
      '=== CONT  TestLogin',
      '    logging in as ci-bot',
      '--- PASS: TestLogin (0.01s)',
      '--- FAIL: TestHealth (2.10s)',
    ];
    const { input, lines, r } = compressAround(block);
    const of = (k: number): number[] => [lines[k]!];
    for (const k of [0, 3, 4, 5, 9]) expect(lineRetention(input, r.content, of(k)).missing, block[k]).toEqual([]);
    expect(lineRetention(input, r.content, of(7)).missing).toEqual(of(7));
  });

  it('keeps a cargo test failure section', () => {
    expectWhole([
      '---- cart::tests::total_includes_tax stdout ----',
      'computing total for 2 items',
      'thread \'cart::tests::total_includes_tax\' panicked at src/cart.rs:88:9:',
      'assertion `left == right` failed',
      '  left: 100',
      ' right: 108',
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
    ], {}, ['', '', 'failures:', '    cart::tests::total_includes_tax', '', 'test result: FAILED. 11 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out']);
  });

  it('keeps blocks bounded: an error does not pin down the unindented chatter after it', () => {
    const { input, r } = compressAround(['ERROR: upload failed']);
    expect(r.content).toContain('ERROR: upload failed');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore / 4);
    expect(input.split('\n').length).toBeGreaterThan(600);
    // A test section that never closes ends at its last error line.
    const open = compressAround(['_____ test_upload _____', 'E   ConnectionError: upload failed']);
    expect(open.r.strategy).toBe('log:select');
    expect(open.r.content).toContain('E   ConnectionError: upload failed');
    expect(open.r.tokensAfter).toBeLessThan(open.r.tokensBefore / 4);
  });
});

describe('shared property runs over framing lines', () => {
  // Logs made of the lines the framing rules read (fences, gutters, carets, section banners,
  // go turns, buildkit steps), errors and chatter in any order: both engines must agree.
  const piece = fc.constantFrom(
    '------',
    '--------------------',
    '╷',
    '│ Error: bad argument',
    '╵',
    ' > [2/3] RUN make:',
    '  32 | >>> RUN make',
    '  |',
    '4 |     let x = 1;',
    '  |     ^^^ here',
    '        ~~~~',
    '3 const x = 1;',
    ' --> src/main.rs:4:18',
    '  = note: expected i32',
    '_____ test_a _____',
    '---- a::b stdout ----',
    '  ● Suite › works',
    '=== RUN   TestA',
    '=== CONT  TestA',
    '--- FAIL: TestA (0.00s)',
    '--- PASS: TestB (0.00s)',
    '#7 [1/2] RUN go build',
    '#7 ERROR: exit code 2',
    '#12 0.31 compiling',
    'ERROR: build failed:',
    '[ERROR] Failed to execute goal',
    '[INFO] Building app',
    'java.lang.AssertionError: ',
    '\tat org.app.A.b(A.java:3)',
    '    indented detail',
    'Expected: 1',
    '',
    '=========== 1 failed ===========',
    'test result: FAILED. 1 passed; 1 failed',
  );
  const chatterLine = fc.nat(999).map((k) => `step ${k} wrote ${k * 7} objects`);
  const stamp = fc.constantFrom('', '2024-05-01T10:00:00.0000000Z ');
  const log = fc
    .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: piece }, { weight: 1, arbitrary: chatterLine }), { minLength: 1, maxLength: 200 }), stamp)
    .map(([lines, s]) => lines.map((l) => s + l).join('\n'));

  it('agree in both engines at budgets tight and loose', () => {
    fc.assert(
      fc.property(log, fc.integer({ min: 20, max: 600 }), (input, max) => {
        const r = both(input, { minTokens: 0, maxBlockTokens: max });
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
      }),
      { seed: 1212, numRuns: 200 },
    );
  });
});

describe('the development corpus: labelled CI logs', () => {
  const logs = corpusFiles('ci-logs', (f) => f.endsWith('fail.log'));

  it('keeps every labelled error line with default options', () => {
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) {
      const content = readFileSync(corpusPath(f), 'utf8');
      const gt = parseGroundTruth(readFileSync(corpusPath(f.replace(/fail\.log$/, 'groundtruth')), 'utf8'));
      const r = both(content);
      expect(lineRetention(content, r.content, gt.error).missing, `${f}: error lines missing`).toEqual([]);
    }
  });
});
