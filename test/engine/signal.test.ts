// Signal words and rules (the same cases as signal.rs's unit tests, on the JS twin).
import { expect, it } from 'vitest';
import { Signal, textSignal, words } from '../../src/engine/js/signal.js';

it('splits words on ASCII and camel case', () => {
  expect([...words('java.lang.NullPointerException: HTTPServerError x_1 é')]).toEqual([
    'java', 'lang', 'null', 'pointer', 'exception', 'httpserver', 'error', 'x', '1',
  ]);
});

it('classifies signals', () => {
  expect(textSignal('[ERROR] Failed to execute goal')).toBe(Signal.Error);
  expect(textSignal('TypeError: x is undefined')).toBe(Signal.Error);
  expect(textSignal('WARNING: deprecated API')).toBe(Signal.Warning);
  expect(textSignal('INFO all good; terrorism')).toBe(Signal.None);
});
