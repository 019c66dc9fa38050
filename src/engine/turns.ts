// Turns of the event loop for work that must stay on the calling thread. `await nextTurn()` before
// each synchronous stretch of a compression (preparing a batch, reading its results back) puts
// that stretch in an event-loop iteration of its own: the waiters are let go one per iteration,
// so 64 concurrent calls never run their stretches back to back in one phase (which is what
// happens when each simply awaits its own setImmediate or setTimeout: every callback queued for
// a phase runs before the loop moves on).

const waiting: (() => void)[] = [];
let head = 0;
let pumping = false;

const later: (f: () => void) => void = (f) => (globalThis.setImmediate ?? setTimeout)(f);

function pump(): void {
  const next = waiting[head];
  if (next === undefined) {
    pumping = false;
    waiting.length = 0;
    head = 0;
    return;
  }
  waiting[head++] = undefined as never;
  next();
  later(pump);
}

/** Resolves in a later iteration of the event loop, one waiter per iteration, first come first served. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      later(pump);
    }
  });
}

/**
 * Consecutive groups of items of at most `units` UTF-16 units of text (a larger item is a group
 * alone): a batch handed to another thread a group per turn, since handing strings over copies
 * them here.
 */
export function groupsOf<T>(items: readonly T[], units: number, text: (item: T) => string): T[][] {
  const out: T[][] = [];
  let filled = Infinity;
  for (const item of items) {
    const length = text(item).length;
    if (filled + length > units) {
      out.push([]);
      filled = 0;
    }
    out[out.length - 1]!.push(item);
    filled += length;
  }
  return out;
}
