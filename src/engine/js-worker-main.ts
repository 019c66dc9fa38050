// A worker thread of the JS engine (started by js-worker.ts): compresses the groups of blocks it is
// posted, one after another, and posts the outcomes back. The caller's stop reaches it as an epoch
// deadline and a flag in shared memory, since a busy worker reads no messages.

import { parentPort } from 'node:worker_threads';
import { compressBlocksUntil, detectKinds } from './js/index.js';
import { countTokensMany } from './js/tokens.js';
import type { StopWhen } from './types.js';
import type { WorkerReply, WorkerRequest } from './js-worker.js';

const port = parentPort;
if (port === null) throw new Error('js-worker-main runs as a worker thread');

/** The caller's AbortSignal as the engine reads it (`aborted` only): the flag the host raises. */
function sharedSignal(flag: Int32Array): AbortSignal {
  return {
    get aborted() {
      return Atomics.load(flag, 0) !== 0;
    },
  } as AbortSignal;
}

port.on('message', (request: WorkerRequest) => {
  if (request.op === 'count') {
    port.postMessage({ id: request.id, counts: countTokensMany(request.texts, request.encoding) } satisfies WorkerReply);
    return;
  }
  if (request.op === 'detect') {
    port.postMessage({ id: request.id, kinds: detectKinds(request.texts) } satisfies WorkerReply);
    return;
  }
  const stop: StopWhen = {};
  if (request.deadline !== undefined) stop.deadline = request.deadline - performance.timeOrigin;
  if (request.cancel !== undefined) stop.signal = sharedSignal(request.cancel);
  // An untouched block's content is its input, which the host still holds: it is not sent back.
  const outcomes = compressBlocksUntil(request.inputs, stop).map((o) => ('failure' in o || o.modified ? o : { ...o, content: '' }));
  const reply: WorkerReply = { id: request.id, outcomes };
  port.postMessage(reply);
});

port.postMessage({ ready: true } satisfies WorkerReply);
