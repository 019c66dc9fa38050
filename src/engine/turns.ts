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

/** Most UTF-16 units of text handed to another thread in one turn (~0.1–0.2 ms to copy). */
const HANDOFF_UNITS = 256 * 1024;

/**
 * `run` on consecutive groups of `items` of at most HANDOFF_UNITS units of text (a larger item is
 * a group alone), each started in a turn of its own, all running at once; their results in order.
 * Handing strings to another thread (the binding, a worker) copies them on this one.
 */
export async function inGroups<T, R>(items: readonly T[], text: (item: T) => string, run: (group: T[]) => Promise<R[]>): Promise<R[]> {
  const pending: Promise<R[]>[] = [];
  let group: T[] = [];
  let filled = 0;
  const start = async (): Promise<void> => {
    if (pending.length > 0) await nextTurn();
    pending.push(run(group));
  };
  for (const item of items) {
    const length = text(item).length;
    if (group.length > 0 && filled + length > HANDOFF_UNITS) {
      await start();
      group = [];
      filled = 0;
    }
    group.push(item);
    filled += length;
  }
  if (group.length > 0) await start();
  return (await Promise.all(pending)).flat();
}
