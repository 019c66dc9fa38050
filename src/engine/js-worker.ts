// The JS engine with its async entries on worker threads, so that `compress()` leaves the event loop
// free with either engine (a 20 MB block is seconds of JS). Large batches, and large sets of texts
// to count or detect, go to a worker (js-worker-main.ts) in groups, each posted in a turn of its
// own (posting copies the strings on this thread); small ones, and every synchronous entry, stay
// on the calling thread. Workers start
// lazily and are referenced only while they have work: an idle worker never keeps the process
// alive. When no worker can start (no worker threads in the runtime, an entry file a bundler left
// behind), batches run on the calling thread, yielding between blocks, with the same results.

import { jsEngine } from './js/index.js';
import { inGroups } from './turns.js';
import { stoppedAfterFirst, type BlockInput, type BlockKind, type BlockOutcome, type EncodingName, type Engine, type StopWhen } from './types.js';

type NodeWorker = import('node:worker_threads').Worker;

/** What the host posts: a group of blocks, with the caller's stop in a form a busy thread can read, or texts to count or detect. */
export type WorkerRequest =
  | {
      op: 'compress';
      id: number;
      inputs: BlockInput[];
      /** Epoch milliseconds (`performance.timeOrigin` + the caller's deadline): thread clocks differ. */
      deadline?: number;
      /** Over a SharedArrayBuffer: `[0]` becomes 1 when the caller's signal aborts. */
      cancel?: Int32Array;
    }
  | { op: 'count'; id: number; texts: string[]; encoding: EncodingName }
  | { op: 'detect'; id: number; texts: string[] };

/** What a worker posts: that it is ready, or the answer to a request (an untouched block's content empty). */
export type WorkerReply = { ready: true } | { id: number; outcomes: BlockOutcome[] } | { id: number; counts: number[] } | { id: number; kinds: BlockKind[] };

/** Batches smaller than this (UTF-16 units) stay on the calling thread: the hop costs more. */
const WORKER_MIN_UNITS = 64 * 1024;

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

/** A request posted and not yet answered. */
interface Job {
  units: number;
  /** Settles the caller's promise from the worker's reply. */
  answer(reply: WorkerReply): void;
  /** Settles it when the worker is gone: `started` says whether it had ever become ready. */
  lost(started: boolean, err: unknown): void;
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
    countTokensManyAsync: (texts, encoding) => pool.count(texts, encoding),
    detectKindsAsync: (texts) => pool.detect(texts),
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
    const slot = unitsOf(inputs.map((i) => i.content)) < this.minUnits ? undefined : this.slot();
    if (slot === undefined) return jsEngine.compressBlocksAsync(inputs, stop);
    const cancel = stop.signal === undefined ? undefined : new Int32Array(new SharedArrayBuffer(4));
    const onAbort = (): void => void (cancel !== undefined && Atomics.store(cancel, 0, 1));
    stop.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return stoppedAfterFirst(await inGroups(inputs, (i) => i.content, (group) => this.postBlocks(slot, group, stop, cancel)));
    } finally {
      stop.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Token counts of `texts`, on a worker when they are many. */
  async count(texts: readonly string[], encoding: EncodingName): Promise<number[]> {
    const slot = unitsOf(texts) < this.minUnits ? undefined : this.slot();
    const inThread = (group: string[]): number[] => jsEngine.countTokensMany(group, encoding);
    if (slot === undefined) return inThread([...texts]);
    return inGroups(texts, (t) => t, (group) =>
      this.post<number[]>(slot, unitsOf(group), (id) => ({ op: 'count', id, texts: group, encoding }), (r) => ('counts' in r ? r.counts : []), () => inThread(group)),
    );
  }

  /** Kinds of `texts`, on a worker when they are many. */
  async detect(texts: readonly string[]): Promise<BlockKind[]> {
    const slot = unitsOf(texts) < this.minUnits ? undefined : this.slot();
    const inThread = (group: string[]): BlockKind[] => jsEngine.detectKinds(group);
    if (slot === undefined) return inThread([...texts]);
    return inGroups(texts, (t) => t, (group) =>
      this.post<BlockKind[]>(slot, unitsOf(group), (id) => ({ op: 'detect', id, texts: group }), (r) => ('kinds' in r ? r.kinds : []), () => inThread(group)),
    );
  }

  /** A worker to post to, or undefined when none can start (the work stays on this thread). */
  private slot(): Slot | undefined {
    if (this.unavailable !== undefined) return undefined;
    try {
      return this.pick();
    } catch (err) {
      this.unavailable = `worker thread failed to start: ${firstLine(err)}`;
      return undefined;
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

  private postBlocks(slot: Slot, inputs: BlockInput[], stop: StopWhen, cancel: Int32Array | undefined): Promise<BlockOutcome[]> {
    const request = (id: number): WorkerRequest => ({
      op: 'compress',
      id,
      inputs,
      ...(stop.deadline === undefined ? {} : { deadline: performance.timeOrigin + stop.deadline }),
      ...(cancel === undefined ? {} : { cancel }),
    });
    const outcomes = (reply: WorkerReply): BlockOutcome[] =>
      'outcomes' in reply ? reply.outcomes.map((o, i) => ('failure' in o || o.modified ? o : { ...o, content: inputs[i]!.content })) : [];
    // A worker that dies while working fails its blocks open (they pass through).
    const failed = (err: unknown): BlockOutcome[] => inputs.map(() => ({ failure: 'error', message: `the worker thread stopped: ${firstLine(err)}` }));
    return this.post(slot, unitsOf(inputs.map((i) => i.content)), request, outcomes, () => jsEngine.compressBlocksAsync(inputs, stop), failed);
  }

  /**
   * Posts a request and settles with `read(reply)`. When the worker cannot start, the work runs on
   * this thread (`inThread`); when it dies after starting, `failed` answers (by default, this
   * thread does the work as well).
   */
  private post<T>(
    slot: Slot,
    units: number,
    request: (id: number) => WorkerRequest,
    read: (reply: WorkerReply) => T,
    inThread: () => T | Promise<T>,
    failed: (err: unknown) => T | Promise<T> = inThread,
  ): Promise<T> {
    if (slot.lost) return Promise.resolve(inThread());
    return new Promise<T>((resolve) => {
      const id = this.nextId++;
      slot.jobs.set(id, {
        units,
        answer: (reply) => resolve(read(reply)),
        lost: (started, err) => resolve(started ? failed(err) : inThread()),
      });
      slot.units += units;
      // Referenced while it has work: a pending compress() keeps the process alive, an idle worker does not.
      if (slot.jobs.size === 1) slot.worker.ref();
      slot.worker.postMessage(request(id));
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
    slot.units -= job.units;
    if (slot.jobs.size === 0) slot.worker.unref();
    job.answer(reply);
  }

  /** A worker that never became ready could not start: its jobs, and every batch after them, run on the calling thread. */
  private lose(slot: Slot, err: unknown): void {
    if (slot.lost) return;
    slot.lost = true;
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (!slot.ready) this.unavailable ??= `worker thread failed to start: ${firstLine(err)}`;
    for (const job of slot.jobs.values()) job.lost(slot.ready, err);
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

function unitsOf(texts: readonly string[]): number {
  let units = 0;
  for (const text of texts) units += text.length;
  return units;
}

const stopped = (): BlockOutcome => ({ failure: 'stopped', message: 'stopped' });

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/** The process's JS engine (what the loader picks): no worker starts before the first large batch. */
export const jsWorkerEngine: WorkerEngine = createJsWorkerEngine();
