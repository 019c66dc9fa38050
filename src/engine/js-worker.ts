// The JS engine with its async entry on worker threads, so that `compress()` leaves the event loop
// free with either engine (a 20 MB block is seconds of JS). Large batches go to a worker
// (js-worker-main.ts) in groups, each posted in a turn of its own (posting copies the strings on
// this thread); small ones, and every synchronous entry, stay on the calling thread. Workers start
// lazily and are referenced only while they have work: an idle worker never keeps the process
// alive. When no worker can start (no worker threads in the runtime, an entry file a bundler left
// behind), batches run on the calling thread, yielding between blocks, with the same results.

import { jsEngine } from './js/index.js';
import { groupsOf, nextTurn } from './turns.js';
import { stoppedAfterFirst, type BlockInput, type BlockOutcome, type Engine, type StopWhen } from './types.js';

type NodeWorker = import('node:worker_threads').Worker;

/** What the host posts: a group of blocks, with the caller's stop in a form a busy thread can read. */
export interface WorkerRequest {
  id: number;
  inputs: BlockInput[];
  /** Epoch milliseconds (`performance.timeOrigin` + the caller's deadline): thread clocks differ. */
  deadline?: number;
  /** Over a SharedArrayBuffer: `[0]` becomes 1 when the caller's signal aborts. */
  cancel?: Int32Array;
}

/** What a worker posts: that it is ready, or a group's outcomes (an untouched block's content empty). */
export type WorkerReply = { ready: true } | { id: number; outcomes: BlockOutcome[] };

/** Batches smaller than this (UTF-16 units) stay on the calling thread: the hop costs more. */
const WORKER_MIN_UNITS = 64 * 1024;

/** Most UTF-16 units posted in one message (~0.2 ms to copy). */
const GROUP_UNITS = 256 * 1024;

export interface WorkerEngineOptions {
  /** The worker's entry module (tests give one that cannot start). */
  entry?: URL;
  /** Most workers at once (default: one per core but one, at most 2). */
  maxWorkers?: number;
  /** Smallest batch, in UTF-16 units, sent to a worker. */
  minUnits?: number;
}

/** What the pool has done, for tests and benches. */
export interface WorkerStats {
  started: number;
  /** Why batches run on the calling thread, once a worker failed to start. */
  unavailable: string | undefined;
}

export interface WorkerEngine extends Engine {
  workerStats(): WorkerStats;
}

interface Job {
  inputs: BlockInput[];
  stop: StopWhen;
  resolve: (outcomes: BlockOutcome[] | Promise<BlockOutcome[]>) => void;
}

interface Slot {
  worker: NodeWorker;
  ready: boolean;
  /** Set once the worker is gone: nothing more is posted to it. */
  lost: boolean;
  /** UTF-16 units posted and not yet answered. */
  units: number;
  jobs: Map<number, Job>;
}

/** A JS engine whose `compressBlocksAsync` runs large batches on worker threads of its own. */
export function createJsWorkerEngine(options: WorkerEngineOptions = {}): WorkerEngine {
  const pool = new WorkerPool(options.entry ?? defaultEntry(), options.maxWorkers ?? defaultMaxWorkers(), options.minUnits ?? WORKER_MIN_UNITS);
  return {
    ...jsEngine,
    compressBlocksAsync: (inputs, stop) => pool.compress(inputs, stop),
    workerStats: () => ({ started: pool.started, unavailable: pool.unavailable }),
  };
}

class WorkerPool {
  started = 0;
  unavailable: string | undefined;
  private readonly slots: Slot[] = [];
  private nextId = 0;

  constructor(
    private readonly entry: URL,
    private readonly maxWorkers: number,
    private readonly minUnits: number,
  ) {}

  async compress(inputs: readonly BlockInput[], stop: StopWhen): Promise<BlockOutcome[]> {
    if (stop.signal?.aborted === true) return inputs.map(stopped);
    if (this.unavailable !== undefined || unitsOf(inputs) < this.minUnits) return jsEngine.compressBlocksAsync(inputs, stop);
    let slot: Slot;
    try {
      slot = this.pick();
    } catch (err) {
      this.unavailable = `worker thread failed to start: ${firstLine(err)}`;
      return jsEngine.compressBlocksAsync(inputs, stop);
    }
    const cancel = stop.signal === undefined ? undefined : new Int32Array(new SharedArrayBuffer(4));
    const onAbort = (): void => void (cancel !== undefined && Atomics.store(cancel, 0, 1));
    stop.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const pending: Promise<BlockOutcome[]>[] = [];
      for (const [k, group] of groupsOf(inputs, GROUP_UNITS).entries()) {
        if (k > 0) await nextTurn();
        pending.push(this.post(slot, group, stop, cancel));
      }
      return stoppedAfterFirst((await Promise.all(pending)).flat());
    } finally {
      stop.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** An idle worker, a new one while under the bound, else the one with the least work queued. */
  private pick(): Slot {
    const idle = this.slots.find((s) => s.jobs.size === 0);
    if (idle !== undefined) return idle;
    if (this.slots.length < this.maxWorkers) return this.spawn();
    return this.slots.reduce((a, b) => (b.units < a.units ? b : a));
  }

  private spawn(): Slot {
    const worker = startWorker(this.entry);
    worker.unref();
    const slot: Slot = { worker, ready: false, lost: false, units: 0, jobs: new Map() };
    worker.on('message', (reply: WorkerReply) => this.answer(slot, reply));
    worker.on('error', (err: unknown) => this.lose(slot, err));
    worker.on('exit', (code: number) => this.lose(slot, new Error(`exited with code ${code}`)));
    this.slots.push(slot);
    this.started++;
    return slot;
  }

  private post(slot: Slot, inputs: BlockInput[], stop: StopWhen, cancel: Int32Array | undefined): Promise<BlockOutcome[]> {
    if (slot.lost) return jsEngine.compressBlocksAsync(inputs, stop);
    return new Promise((resolve) => {
      const id = this.nextId++;
      slot.jobs.set(id, { inputs, stop, resolve });
      slot.units += unitsOf(inputs);
      // Referenced while it has work: a pending compress() keeps the process alive, an idle worker does not.
      if (slot.jobs.size === 1) slot.worker.ref();
      const request: WorkerRequest = {
        id,
        inputs,
        ...(stop.deadline === undefined ? {} : { deadline: performance.timeOrigin + stop.deadline }),
        ...(cancel === undefined ? {} : { cancel }),
      };
      slot.worker.postMessage(request);
    });
  }

  private answer(slot: Slot, reply: WorkerReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      return;
    }
    const job = slot.jobs.get(reply.id);
    if (job === undefined) return;
    slot.jobs.delete(reply.id);
    slot.units -= unitsOf(job.inputs);
    if (slot.jobs.size === 0) slot.worker.unref();
    job.resolve(reply.outcomes.map((o, i) => ('failure' in o || o.modified ? o : { ...o, content: job.inputs[i]!.content })));
  }

  /**
   * A worker that never became ready could not start: its jobs, and every batch after them, run
   * on the calling thread. One that dies while working fails its blocks open (they pass through).
   */
  private lose(slot: Slot, err: unknown): void {
    if (slot.lost) return;
    slot.lost = true;
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (!slot.ready) this.unavailable ??= `worker thread failed to start: ${firstLine(err)}`;
    for (const job of slot.jobs.values()) {
      if (!slot.ready) job.resolve(jsEngine.compressBlocksAsync(job.inputs, job.stop));
      else job.resolve(job.inputs.map(() => ({ failure: 'error', message: `the worker thread stopped: ${firstLine(err)}` })));
    }
    slot.jobs.clear();
    slot.units = 0;
    slot.worker.unref();
    void slot.worker.terminate().catch(() => undefined);
  }
}

function startWorker(entry: URL): NodeWorker {
  const threads = globalThis.process?.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (threads === undefined) throw new Error('no worker threads in this runtime');
  if (!entry.pathname.endsWith('.ts')) return new threads.Worker(entry);
  // Running from the TypeScript sources (tests, benches): the worker loads them through tsx.
  const code = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new threads.Worker(code, { eval: true });
}

function defaultEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './js-worker-main.ts' : './js-worker-main.js', import.meta.url);
}

/** One worker per core but one (the event loop's), at most 2: each holds its own rank tables. */
function defaultMaxWorkers(): number {
  const os = globalThis.process?.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
  const cores = os?.availableParallelism?.() ?? 1;
  return Math.max(1, Math.min(2, cores - 1));
}

function unitsOf(inputs: readonly BlockInput[]): number {
  let units = 0;
  for (const input of inputs) units += input.content.length;
  return units;
}

const stopped = (): BlockOutcome => ({ failure: 'stopped', message: 'stopped' });

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/** The process's JS engine (what the loader picks): no worker starts before the first large batch. */
export const jsWorkerEngine: WorkerEngine = createJsWorkerEngine();
