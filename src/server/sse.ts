// Server-sent events as the server reads an upstream stream it must continue (retrieval rounds):
// the bytes cut into events at blank lines, each with its `event:` name and `data:` text. Streams
// the server only relays never come through here: those go back byte for byte.

export interface SseEvent {
  /** The `event:` field; '' when the event has none (OpenAI's chunks). */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/** The events of a byte stream, as they complete. A last event without its blank line still counts. */
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  /** A CR that ended the last chunk: a line end of its own, or the first half of a CRLF. */
  let pendingCr = false;
  for await (const chunk of body) {
    let text = decoder.decode(chunk, { stream: true });
    if (pendingCr) text = '\r' + text;
    pendingCr = text.endsWith('\r');
    if (pendingCr) text = text.slice(0, -1);
    // Events end at a blank line; CRLF and CR line ends count as LF.
    buffered += text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const event = parseEvent(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      if (event !== undefined) yield event;
      end = buffered.indexOf('\n\n');
    }
  }
  buffered += (decoder.decode() + (pendingCr ? '\n' : '')).replace(/\r\n?/g, '\n');
  for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
    const event = parseEvent(buffered.slice(0, end));
    buffered = buffered.slice(end + 2);
    if (event !== undefined) yield event;
  }
  const last = parseEvent(buffered);
  if (last !== undefined) yield last;
}

function parseEvent(text: string): SseEvent | undefined {
  let event = '';
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && event === '') return undefined;
  return { event, data: data.join('\n') };
}

/** One event in the wire format. */
export function sseText(event: string, data: string): string {
  return `${event === '' ? '' : `event: ${event}\n`}data: ${data}\n\n`;
}
