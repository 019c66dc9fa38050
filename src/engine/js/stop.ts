// When work stops (twin of headroom-core's stop.rs): a batch asks `stopReached` before each block;
// the tokenizer ticks a `Watch` inside its loops, which looks at the clock and the signal only once
// per WATCH_UNITS units of work, so a loop can tick it every step. The compressors call `poll`,
// which ticks the watch of the enclosing `within`. Where Rust returns `Err(Stopped)` up the call
// chain (or unwinds to `within` from a poll), the JS engine throws `Stopped`, and the batch turns it
// into the block's `stopped` failure.

import type { StopWhen } from '../types.js';

/** A stop that never comes. */
export const NEVER: StopWhen = Object.freeze({});

export function stopReached(stop: StopWhen): boolean {
  return stop.signal?.aborted === true || (stop.deadline !== undefined && performance.now() >= stop.deadline);
}

/** Thrown from inside a piece of work when its stop has come: its partial result is thrown away. */
export class Stopped extends Error {
  constructor() {
    super('stopped');
    this.name = 'Stopped';
  }
}

/**
 * Units of work (about a byte of input each) between two looks at the stop: the slowest loop of
 * the tokenizer does about 1 MB/s per unit here, so a stop is seen within a few milliseconds.
 */
export const WATCH_UNITS = 8 * 1024;

/** Counts work down to the next look at the stop. */
export class Watch {
  private left = WATCH_UNITS;
  private readonly never: boolean;

  constructor(private readonly stop: StopWhen) {
    this.never = stop.deadline === undefined && stop.signal === undefined;
  }

  /** Records `units` of work; throws `Stopped` once the stop has come. */
  tick(units: number): void {
    if (units < this.left) {
      this.left -= units;
      return;
    }
    this.left = WATCH_UNITS;
    if (!this.never && stopReached(this.stop)) throw new Stopped();
  }
}

/** The watch of the innermost `within` running now; a stop that never comes outside one. */
let current: Watch = new Watch(NEVER);

/**
 * Runs `work` with `stop` looked at by every `poll` (and token count) inside it. A stop that never
 * comes leaves an enclosing `within`'s stop in force, as in Rust.
 */
export function within<T>(stop: StopWhen, work: () => T): T {
  if (stop.deadline === undefined && stop.signal === undefined) return work();
  const outer = current;
  current = new Watch(stop);
  try {
    return work();
  } finally {
    current = outer;
  }
}

/** Records `units` of work (about a character of input each) for the enclosing `within`; throws `Stopped` once its stop has come. */
export function poll(units: number): void {
  current.tick(units);
}

/** The watch of the enclosing `within`, for a count inside a compressor. */
export function currentWatch(): Watch {
  return current;
}
