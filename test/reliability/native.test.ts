// Reliability on hostile input, native engine (issue 17): every generated input finishes, passes
// the checks of support/hostile.ts, and gives the JS engine's bytes. Runs in the native pass only;
// reliability/js.test.ts is the JS engine's own file.
import { describe, expect, it } from 'vitest';
import { compressWith } from '../../src/compress.js';
import { Memo } from '../../src/messages/memo.js';
import { forcedJs, js, nativeEngine } from '../support/engines.js';
import { breath, compressChecked, HOSTILE, retainedAfterDistinctInputs } from '../support/hostile.js';

describe.skipIf(forcedJs || nativeEngine === undefined)('native engine on hostile input', () => {
  const native = nativeEngine!;

  for (const input of HOSTILE) {
    it(`${input.name}: finishes, passes the checks, equals the JS engine`, async () => {
      const text = input.text();
      const ours = compressChecked(native, text);
      await breath();
      const theirs = compressChecked(js, text);
      // The native engine receives lone surrogates as U+FFFD (napi's UTF-8); the JS engine emits
      // kept lines as given: the bytes agree once the JS output's are made U+FFFD too (PRODUCT §9).
      expect(ours).toEqual({ ...theirs, content: theirs.content.toWellFormed() });
    });
  }

  it('a deadline stops token counting inside one 8 MB block: untouched, reported as a timeout', async () => {
    const run = '['.repeat(8 << 20); // ~0.1-0.3 s of counting: the deadline falls inside it
    const messages = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'dump', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: run }] },
    ];
    const result = await compressWith({ engine: native, memo: new Memo() }, messages as never, { timeoutMs: 20 });
    expect(result.failures.map((f) => [f.messageIndex, f.reason])).toEqual([[2, 'timeout']]);
    expect(result.messages[2]).toBe(messages[2]);
  });

  it('caches hold nothing of the caller\'s input: 2 000 distinct inputs sliced from 1 MB strings', async () => {
    // The memo is bounded to 1 M characters (2 MB) and the piece memo to 2 M units; a cache holding
    // a slice would hold its whole 1 MB parent: 100s of MB.
    const { held, cleared } = await retainedAfterDistinctInputs(native, 2000);
    expect(held).toBeLessThan(32 << 20);
    expect(cleared).toBeLessThan(24 << 20);
  });
});
