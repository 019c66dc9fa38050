// What a wrapped call hands back is the SDK's own: its APIPromise (Anthropic's and OpenAI's are the
// same Stainless class), a Promise subclass that the SDK's helpers and the caller's
// `.withResponse()` / `.asResponse()` rely on, and its streams. A wrapped call has to return the
// APIPromise at once, before compression has finished and the real call is made, so it builds one
// over the response of that later call.

import { isObj } from '../messages/types.js';

/** An SDK's APIPromise constructor: `new APIPromise(client, responsePromise, parseResponse)`. */
export type APIPromiseClass = new (client: never, responsePromise: Promise<never>, parseResponse: (client: never, props: never) => unknown) => unknown;

/** The internals read here: stable across the Stainless SDKs since APIPromise took the client first. */
interface Internals {
  _responseProps?(): Promise<never>;
  responsePromise?: Promise<never>;
  parseResponse(client: unknown, props: unknown): unknown;
}

/**
 * An APIPromise over the response of a call that starts once `sent` resolves. The call's own
 * APIPromise travels boxed (`{ call }`): a promise resolving to a thenable would unwrap it.
 */
export function deferred(APIPromise: APIPromiseClass, client: object, sent: Promise<{ call: unknown }>, tap?: (data: unknown) => unknown): unknown {
  const responseProps = sent.then(({ call }) => {
    const c = call as Internals;
    return c._responseProps?.() ?? (c.responsePromise as Promise<never>);
  });
  return new APIPromise(client as never, responseProps, (async (c: unknown, props: unknown) => {
    const data = await ((await sent).call as Internals).parseResponse(c, props);
    return tap === undefined ? data : tap(data);
  }) as never);
}

/** Lets `see` look at every event of an SDK stream as the caller reads it; other data is left alone. */
export function tapStream(data: unknown, see: (event: unknown) => void): void {
  if (!isObj(data) || typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') return;
  const stream = data as unknown as { [Symbol.asyncIterator](): AsyncIterator<unknown> };
  const events = stream[Symbol.asyncIterator].bind(stream);
  stream[Symbol.asyncIterator] = async function* tapped() {
    const it = events();
    for (let r = await it.next(); r.done !== true; r = await it.next()) {
      see(r.value);
      yield r.value;
    }
  } as never;
}
