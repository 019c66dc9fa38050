// Strings that hold nothing of the caller's input. V8 represents a slice of a string of 13 or more
// units as a view into its parent, which keeps the whole parent alive: a cache keyed by a slice of
// a 10 MB request holds the request. Caches (the tokenizer's piece memo, the compress memo) store
// detached copies instead.

/**
 * A copy of `s` that shares no storage with any other string: concatenating makes a rope, and
 * slicing a rope flattens it into a new string first.
 */
export function detached(s: string): string {
  return (' ' + s).slice(1);
}
