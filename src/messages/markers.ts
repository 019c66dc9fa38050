// The message layer's own marker: the note left where whole turns were dropped to fit the context
// window. Same recognisable form as the compressors' markers: a text line from `[…` to `…]`.

const PATTERN = /^\[… (\d+) earlier turns? \((\d+) messages?\) omitted to fit the context window …\]$/;

/** The marker for `turns` dropped turns made of `messages` messages. */
export function droppedTurnsMarker(turns: number, messages: number): string {
  const t = turns === 1 ? 'turn' : 'turns';
  const m = messages === 1 ? 'message' : 'messages';
  return `[… ${turns} earlier ${t} (${messages} ${m}) omitted to fit the context window …]`;
}

/** The counts in a dropped-turns marker, or undefined when `text` is not one. */
export function parseDroppedTurnsMarker(text: string): { turns: number; messages: number } | undefined {
  const m = PATTERN.exec(text);
  return m === null ? undefined : { turns: Number(m[1]), messages: Number(m[2]) };
}
