// Reading compressed log output back, to check the log compressor's invariants in tests: every
// verbatim line occurs in the (normalised) input, the constant parts of every template occur in
// the input, and the counts in lines and markers add up to the input's line count.
// The normalisation is re-implemented here with regular expressions, independently of lines.ts.

const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]+[0-~]?|[0-~])?/g;
const VISIBLE = /[^ \t\x0b\x0c]/;

/** The input's lines after the documented normalisation (line ends, progress lines, ANSI). */
export function normalisedLines(input: string): string[] {
  if (input.length === 0) return [];
  if (!input.includes('\n')) return input.replace(/\r$/, '').split('\r').map((l) => l.replace(ANSI, ''));
  const body = input.endsWith('\n') ? input.slice(0, -1) : input;
  return body.split('\n').map((raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.includes('\r')) return line.replace(ANSI, '');
    const segments = line.split('\r').map((s) => s.replace(ANSI, ''));
    for (let k = segments.length - 1; k >= 0; k--) if (VISIBLE.test(segments[k]!)) return segments[k]!;
    return '';
  });
}

export type OutputLine =
  | { kind: 'verbatim'; text: string; count: number }
  | { kind: 'template'; body: string; count: number }
  | { kind: 'repeat'; count: number }
  | { kind: 'omitted'; count: number };

/** Classifies each line of a log compressor's output and says how many input lines it stands for. */
export function parseLogOutput(output: string): OutputLine[] {
  // Kept lines keep their own line ends (`\r\n`, or `\r` alone in a block without `\n`).
  const sep = output.includes('\n') ? '\n' : '\r';
  const body = output.endsWith(sep) ? output.slice(0, -1) : output;
  return body.split(sep).map((given): OutputLine => {
    const line = given.endsWith('\r') ? given.slice(0, -1) : given;
    let m = /^\[… (\d+) lines? omitted(?:: .*)? …\]$/.exec(line);
    if (m) return { kind: 'omitted', count: Number(m[1]) };
    m = /^\[… (\d+) lines like: (.*) …\]$/.exec(line);
    if (m) return { kind: 'template', body: m[2]!, count: Number(m[1]) };
    m = /^\[… the (\d+) lines above repeat (?:once more|\d+ more times \((\d+) lines\)) …\]$/.exec(line);
    if (m) return { kind: 'repeat', count: m[2] === undefined ? Number(m[1]) : Number(m[2]) };
    // A kept line's repeats, on the marker line after it (those elsewhere are told where they stood).
    m = /^\[… the line above repeats (?:once more|(\d+) more times): \d+ in a row(?:, \d+ in all)? …\]$/.exec(line);
    if (m) return { kind: 'repeat', count: m[1] === undefined ? 1 : Number(m[1]) };
    if (/^\[… the line above occurs \d+ times in all …\]$/.test(line)) return { kind: 'repeat', count: 0 };
    return { kind: 'verbatim', text: line, count: 1 };
  });
}

/** The constant pieces of a template body (the text between its `{…}` slots). */
export function templateConstants(body: string): string[] {
  return body
    .split(/\{[^{}]*(?: … |–)[^{}]*\}/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Problems with a log compressor's output for `input` (empty when all invariants hold). */
export function logInvariantViolations(input: string, output: string): string[] {
  const lines = normalisedLines(input);
  const known = new Set(lines);
  const text = lines.join('\n');
  const problems: string[] = [];
  let total = 0;
  for (const l of parseLogOutput(output)) {
    total += l.count;
    if (l.kind === 'verbatim' && !known.has(l.text)) problems.push(`not an input line: ${JSON.stringify(l.text.slice(0, 120))}`);
    if (l.kind === 'template') {
      for (const piece of templateConstants(l.body)) {
        if (!text.includes(piece)) problems.push(`template constant not in input: ${JSON.stringify(piece.slice(0, 120))}`);
      }
    }
  }
  if (total !== lines.length) problems.push(`counts add up to ${total}, input has ${lines.length} lines`);
  return problems;
}
