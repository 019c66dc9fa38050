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

/** The response data and metadata an APIPromise resolves its `_responseProps()` to (the fields read here). */
interface ResponseProps {
  response: Response;
  options: { stream?: boolean };
}

/**
 * Makes `promise._responseProps()` answer with the response its own parse reads as. The SDK's
 * helpers that build one request on another (the beta message thread, under `toolRunner({ stream:
 * true })`) take the raw response there and parse it themselves, so a stream the wrapper
 * continued over several rounds would reach them as its first round only. For a stream, the
 * response becomes an SSE body re-encoded from the parsed events: the helper parses one coherent
 * message. A JSON response is left as it came: those helpers await the promise for the data.
 */
export function coherentResponseProps(promise: unknown): void {
  const p = promise as Internals & { parse?(): Promise<unknown> };
  if (typeof p._responseProps !== 'function' || typeof p.parse !== 'function') return;
  const own = p._responseProps.bind(p);
  const parse = p.parse.bind(p);
  p._responseProps = (async () => {
    const props = (await own()) as unknown as ResponseProps;
    if (!isObj(props) || !isObj(props.options) || props.options.stream !== true || !isObj(props.response)) return props;
    const data = await parse();
    if (!isObj(data) || typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') return props;
    return { ...props, response: sseResponse(data as unknown as AsyncIterable<unknown>, props.response) };
  }) as never;
}

/** `events` as a server-sent-events response with the headers and status of `original` (a custom fetch's Response too). */
function sseResponse(events: AsyncIterable<unknown>, original: Response): Response {
  const encoder = new TextEncoder();
  let it: AsyncIterator<unknown> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      it ??= events[Symbol.asyncIterator]();
      try {
        const r = await it.next();
        if (r.done === true) {
          controller.close();
          return;
        }
        const event = r.value;
        const name = isObj(event) && typeof event['type'] === 'string' ? event['type'] : 'message';
        controller.enqueue(encoder.encode(`event: ${name}\ndata: ${JSON.stringify(event)}\n\n`));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await it?.return?.();
    },
  });
  return new Response(body, { status: original.status, statusText: original.statusText, headers: new Headers(original.headers as ConstructorParameters<typeof Headers>[0]) });
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
