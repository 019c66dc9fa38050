// The relevance query's terms (the same cases as query.rs's unit tests, on the JS twin).
import { expect, it } from 'vitest';
import { queryHits, queryTerms } from '../../src/engine/js/query.js';

it('extracts query terms and counts hits', () => {
  const t = queryTerms('Why did the payment-service fail for the user 42?');
  expect(t).toEqual(['did', 'payment', 'service', 'fail', 'user', '42']);
  expect(queryHits('payment FAIL', t)).toBe(2);
});
