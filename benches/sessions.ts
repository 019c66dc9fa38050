// What a user pays: agent sessions replayed turn by turn with prompt caching. Every trajectory of
// the corpus is resent the way its agent sent it (turn k: system prompt, tools, the history up to
// the k-th model call) under five strategies, and each request is billed by billing.ts:
//   (a) none       no compression; cache breakpoints as a careful user sets them (`cacheBreakpoints: 'auto'`)
//   (b) headroom   compress() of the whole uncompressed history every turn, then the same breakpoints
//   (c) +tail      (b) with `moveDynamicToTail`
//   (d) python     the original Python package on the whole history every turn, then the same breakpoints
//   (e) last-n     the last N tool outputs whole, older ones cut to a one-line marker (what agent
//                  frameworks do; SWE-agent's own runs kept 5), then the same breakpoints
// (b) and (c) build the request exactly as withHeadroom does (asWrapperSends; a test holds the two
// together). Each strategy replays a session in a fresh process: a fresh memo and a fresh cache.
import { statSync } from 'node:fs';
import { CacheAligner, type SystemPrompt } from '../src/cache/aligner.js';
import { addCacheBreakpoints, cacheMarkers, MAX_CACHE_MARKERS } from '../src/cache/breakpoints.js';
import { compressWith, DEFAULT_MODEL } from '../src/compress.js';
import { currentEngine } from '../src/engine/loader.js';
import { openAIToAnthropic } from '../src/messages/convert.js';
import { Memo } from '../src/messages/memo.js';
import type { OpenAIMessage } from '../src/messages/types.js';
import { AnthropicProvider } from '../src/providers/anthropic.js';
import { addBill, billTokens, dollars, emptyBill, LOOKBACK_BLOCKS, MODELS, MULTIPLIERS, PRICES_TAKEN, PromptCache, requestBlocks, TTL_SECONDS, type Bill, type CachedRequest, type ModelPricing } from './billing.js';
import { read, type CorpusEntry } from './corpus.js';
import { runPythonPeer } from './python-peer.js';
import { lineChart } from './svg.js';
import type { Progress } from './timing.js';
import { DEFAULT_TURN_SECONDS, isToolOutput, readTrajectory, type Session } from './trajectory.js';

export type StrategyId = 'none' | 'headroom' | 'headroom-tail' | 'python' | 'last-n';

/** Tool outputs strategy (e) keeps whole: SWE-agent's `last_n_observations` setting in these runs. */
export const KEEP_LAST_TOOL_OUTPUTS = 5;

export const STRATEGIES: readonly { id: StrategyId; label: string }[] = [
  { id: 'none', label: '(a) no compression' },
  { id: 'headroom', label: '(b) headroom' },
  { id: 'headroom-tail', label: '(c) headroom + moveDynamicToTail' },
  { id: 'python', label: '(d) Python headroom-ai' },
  { id: 'last-n', label: `(e) last ${KEEP_LAST_TOOL_OUTPUTS} tool outputs` },
];

/** What a strategy sends at one turn. */
export interface Sent {
  request: CachedRequest;
  /** Compression time of this turn, when the strategy compresses. */
  ms?: number;
  /** Why this turn went out uncompressed (the compressor failed on it). */
  failed?: string;
}

/** The request as withHeadroom sends it: breakpoints first, then (opt-in) volatile system lines moved to a tail block. */
export function asWrapperSends(request: CachedRequest, moveDynamicToTail: boolean): CachedRequest {
  let out = addCacheBreakpoints(request);
  const system = out.system;
  if (moveDynamicToTail && system !== undefined) {
    const aligner = new CacheAligner();
    if (aligner.analyze(system as SystemPrompt).volatile.length > 0) {
      const room = cacheMarkers(out).length < MAX_CACHE_MARKERS;
      out = { ...out, system: aligner.moveDynamicToTail(system as SystemPrompt, room) };
    }
  }
  return out;
}

/** The request of one turn before any strategy: system, tools and the history so far, in Anthropic form. */
function plainRequest(session: Session, history: readonly OpenAIMessage[]): CachedRequest {
  return {
    ...(session.tools.length > 0 ? { tools: session.tools } : {}),
    ...(session.system === undefined ? {} : { system: session.system }),
    messages: openAIToAnthropic(history),
  };
}

/** (a): every turn as the agent sent it, with breakpoints. */
export function uncompressedTurns(session: Session): Sent[] {
  return session.turns.map((t) => ({ request: asWrapperSends(plainRequest(session, session.history.slice(0, t.end)), false) }));
}

/** (b), (c): compress() on the whole uncompressed history every turn, as one process would. */
export async function headroomTurns(session: Session, moveDynamicToTail: boolean): Promise<Sent[]> {
  const env = { engine: currentEngine(), memo: new Memo() };
  const out: Sent[] = [];
  for (const turn of session.turns) {
    const plain = plainRequest(session, session.history.slice(0, turn.end));
    const result = await compressWith(env, plain.messages, {
      model: DEFAULT_MODEL,
      format: 'anthropic',
      ...(session.system === undefined ? {} : { system: session.system }),
      ...(plain.tools === undefined ? {} : { tools: plain.tools }),
    });
    const failed = result.failures.length > 0 ? result.failures.map((f) => f.reason).join(', ') : undefined;
    out.push({ request: asWrapperSends({ ...plain, messages: result.messages }, moveDynamicToTail), ms: result.durationMs, ...(failed === undefined ? {} : { failed }) });
  }
  return out;
}

/** (e): the last `keep` tool outputs whole; every older one becomes one line saying what was cut. */
export function lastToolOutputs(history: readonly OpenAIMessage[], keep: number): OpenAIMessage[] {
  const outputs = history.flatMap((_, i) => (isToolOutput(history, i) ? [i] : []));
  const old = new Set(outputs.slice(0, Math.max(0, outputs.length - keep)));
  return history.map((m, i) => {
    if (!old.has(i)) return m;
    const text = typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('\n');
    const lines = text === '' ? 0 : text.split(/\r\n|\n|\r/).length;
    return { ...m, content: `(older tool output omitted: ${lines} ${lines === 1 ? 'line' : 'lines'})` };
  });
}

export function lastNTurns(session: Session, keep = KEEP_LAST_TOOL_OUTPUTS): Sent[] {
  return session.turns.map((t) => ({ request: asWrapperSends(plainRequest(session, lastToolOutputs(session.history.slice(0, t.end), keep)), false) }));
}

/** (d): the Python package on every turn's whole history (system prompt included), one process for all. */
function pythonTurns(sessions: readonly Session[], install: boolean): { ok: true; turns: Map<string, Sent[]> } | { ok: false; reason: string } {
  const key = (s: Session, k: number): string => `${s.name}#${k}`;
  const inputs = sessions.flatMap((s) =>
    s.turns.map((t, k) => ({
      name: key(s, k),
      messages: [...(s.system === undefined ? [] : [{ role: 'system', content: s.system }]), ...s.history.slice(0, t.end)],
    })),
  );
  const run = runPythonPeer(inputs, { install, timeoutMs: 15 * 60_000 });
  if (!run.ok) return run;
  const turns = new Map<string, Sent[]>();
  for (const s of sessions) {
    turns.set(
      s.name,
      s.turns.map((t, k) => {
        const plain = plainRequest(s, s.history.slice(0, t.end));
        const o = run.outputs.get(key(s, k));
        if (o === undefined || 'error' in o || !('messages' in o)) {
          return { request: asWrapperSends(plain, false), failed: o !== undefined && 'error' in o ? o.error : 'no answer' };
        }
        const messages = o.messages as OpenAIMessage[];
        const head = messages[0];
        const system = head?.role === 'system' && typeof head.content === 'string' ? head.content : s.system;
        const rest = head?.role === 'system' ? messages.slice(1) : messages;
        const request: CachedRequest = { ...plain, ...(system === undefined ? {} : { system }), messages: openAIToAnthropic(rest) };
        return { request: asWrapperSends(request, false), ms: o.ms };
      }),
    );
  }
  return { ok: true, turns };
}

/** One strategy's bill for one session under one model. */
export interface ModelRun {
  model: string;
  bill: Bill;
  dollars: number;
  /** Turns whose request exceeds the model's context window (headroom's estimate: o200k × 1.15). */
  overWindow: number;
  /** Dollars spent up to and including each turn. */
  cumulative: number[];
}

export interface StrategyRun {
  strategy: StrategyId;
  /** Input tokens sent over all turns. */
  tokens: number;
  models: ModelRun[];
  /** Compression time of each turn (empty when the strategy does not compress). */
  ms: number[];
  /** Turns sent uncompressed because the compressor failed. */
  failures: number;
}

const provider = new AnthropicProvider();

/** Bills a session's requests in order, each model with its own cache. */
export function billSession(session: Session, sent: readonly Sent[], strategy: StrategyId, models: readonly ModelPricing[] = MODELS): StrategyRun {
  const caches = models.map((m) => new PromptCache(m));
  const runs: ModelRun[] = models.map((m) => ({ model: m.id, bill: emptyBill(), dollars: 0, overWindow: 0, cumulative: [] }));
  let tokens = 0;
  sent.forEach((s, k) => {
    const blocks = requestBlocks(s.request);
    const total = blocks.reduce((n, b) => n + b.tokens, 0);
    tokens += total;
    models.forEach((m, i) => {
      const run = runs[i]!;
      const bill = caches[i]!.bill(blocks, session.turns[k]!.at);
      run.bill = addBill(run.bill, bill);
      run.dollars += dollars(bill, m);
      run.cumulative.push(run.dollars);
      if (provider.estimateTokens(total) > provider.contextLimit(m.id)) run.overWindow++;
    });
  });
  return {
    strategy,
    tokens,
    models: runs,
    ms: sent.flatMap((s) => (s.ms === undefined ? [] : [s.ms])),
    failures: sent.filter((s) => s.failed !== undefined).length,
  };
}

export interface SessionRow {
  name: string;
  turns: number;
  spacing: Session['spacing'];
  runs: StrategyRun[];
}

export interface SessionsSection {
  pricesTaken: string;
  models: readonly ModelPricing[];
  keepLast: number;
  rows: SessionRow[];
  /** Trajectories that could not be read, with the reason. */
  skipped: string[];
  /** Why the Python column is empty, when it is. */
  pythonUnavailable?: string;
}

/** The trajectories of the corpus (in quick mode the two smallest). */
export function sessionEntries(entries: readonly CorpusEntry[], quick: boolean): CorpusEntry[] {
  const all = entries.filter((e) => e.kind === 'trajectory');
  if (!quick) return all;
  return all
    .map((e) => ({ e, size: statSync(e.path).size }))
    .sort((a, b) => a.size - b.size)
    .slice(0, 2)
    .map((x) => x.e);
}

export async function benchSessions(entries: readonly CorpusEntry[], progress: Pick<Progress, 'tick'>, opts: { install: boolean }): Promise<SessionsSection> {
  const sessions: Session[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const s = readTrajectory(entry.name, read(entry));
    if ('error' in s) skipped.push(`${s.name}: ${s.error}`);
    else sessions.push(s);
  }
  progress.tick('sessions: python peer');
  const python = sessions.length === 0 ? { ok: false as const, reason: 'no sessions' } : pythonTurns(sessions, opts.install);
  const rows: SessionRow[] = [];
  for (const s of sessions) {
    progress.tick(`sessions: ${s.name}`);
    const runs = [
      billSession(s, uncompressedTurns(s), 'none'),
      billSession(s, await headroomTurns(s, false), 'headroom'),
      billSession(s, await headroomTurns(s, true), 'headroom-tail'),
      ...(python.ok ? [billSession(s, python.turns.get(s.name)!, 'python')] : []),
      billSession(s, lastNTurns(s), 'last-n'),
    ];
    rows.push({ name: s.name, turns: s.turns.length, spacing: s.spacing, runs });
  }
  return {
    pricesTaken: PRICES_TAKEN,
    models: MODELS,
    keepLast: KEEP_LAST_TOOL_OUTPUTS,
    rows,
    skipped,
    ...(python.ok ? {} : { pythonUnavailable: python.reason }),
  };
}

/** One strategy summed over every session. */
export interface StrategyTotal {
  strategy: StrategyId;
  label: string;
  turns: number;
  tokens: number;
  /** Share of input tokens sent, saved against (a). */
  tokenCutPct: number | null;
  models: { model: string; label: string; bill: Bill; dollars: number; savedPct: number | null; hitSharePct: number | null; overWindow: number }[];
  /** Median compression time per turn, ms (null when the strategy does not compress). */
  msPerTurn: number | null;
  failures: number;
}

const pct = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((1000 * part) / whole) / 10);

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function sessionTotals(section: SessionsSection): StrategyTotal[] {
  const base = STRATEGIES[0]!.id;
  const sum = (id: StrategyId): { turns: number; tokens: number; models: ModelRun[]; ms: number[]; failures: number } | undefined => {
    const runs = section.rows.map((r) => r.runs.find((x) => x.strategy === id));
    if (runs.length === 0 || runs.some((r) => r === undefined)) return undefined;
    const present = runs as StrategyRun[];
    return {
      turns: section.rows.reduce((n, r) => n + r.turns, 0),
      tokens: present.reduce((n, r) => n + r.tokens, 0),
      models: section.models.map((m, i) => ({
        model: m.id,
        bill: present.reduce((b, r) => addBill(b, r.models[i]!.bill), emptyBill()),
        dollars: present.reduce((n, r) => n + r.models[i]!.dollars, 0),
        overWindow: present.reduce((n, r) => n + r.models[i]!.overWindow, 0),
        cumulative: [],
      })),
      ms: present.flatMap((r) => r.ms),
      failures: present.reduce((n, r) => n + r.failures, 0),
    };
  };
  const a = sum(base);
  return STRATEGIES.flatMap((st) => {
    const t = sum(st.id);
    if (t === undefined) return [];
    return [
      {
        strategy: st.id,
        label: st.label,
        turns: t.turns,
        tokens: t.tokens,
        tokenCutPct: a === undefined ? null : pct(a.tokens - t.tokens, a.tokens),
        models: t.models.map((m, i) => ({
          model: m.model,
          label: section.models[i]!.label,
          bill: m.bill,
          dollars: m.dollars,
          savedPct: a === undefined ? null : pct(a.models[i]!.dollars - m.dollars, a.models[i]!.dollars),
          hitSharePct: pct(m.bill.read, billTokens(m.bill)),
          overWindow: m.overWindow,
        })),
        msPerTurn: median(t.ms),
        failures: t.failures,
      },
    ];
  });
}

const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;
const share = (n: number | null): string => (n === null ? '–' : `${n.toFixed(1)} %`);
const ms = (n: number | null): string => (n === null ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(0));

/** The totals table: one row per strategy and model. */
export function sessionsSummaryMd(section: SessionsSection): string[] {
  const totals = sessionTotals(section);
  const turns = section.rows.reduce((n, r) => n + r.turns, 0);
  return [
    `Sessions: ${section.rows.length} agent trajectories, ${turns} turns, replayed with prompt caching (input only; output tokens are the same for every strategy and left out).`,
    '',
    '| strategy | input tokens sent | token cut | model | uncached | written | read | cache-hit share | input cost | saved vs (a) | compress ms/turn (median) | turns over window |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...totals.flatMap((t) =>
      t.models.map(
        (m) =>
          `| ${t.label} | ${t.tokens} | ${share(t.tokenCutPct)} | ${m.label} | ${m.bill.uncached} | ${m.bill.written5m + m.bill.written1h} | ${m.bill.read} | ${share(m.hitSharePct)} | ${usd(m.dollars)} | ${share(m.savedPct)} | ${ms(t.msPerTurn)} | ${m.overWindow} |`,
      ),
    ),
    ...(section.pythonUnavailable === undefined ? [] : ['', `Python package not run: ${section.pythonUnavailable}`]),
    '',
  ];
}

/** The report section: how it was measured, the totals, and every trajectory. */
export function formatSessions(section: SessionsSection): string[] {
  const label = (id: StrategyId): string => STRATEGIES.find((s) => s.id === id)!.label;
  const models = section.models.map((m) => `${m.label} $${m.inputPerMTok}/MTok input, minimum cacheable ${m.minCacheableTokens} tokens`).join('; ');
  const m = MULTIPLIERS;
  const perModel = section.models.flatMap((x) => [`${x.label}: uncached / written / read`, 'cache-hit share', 'input cost', 'saved vs (a)', 'turns over window']);
  return [
    '## Sessions: what prompt caching bills for a replayed agent session',
    '',
    "Each trajectory is resent turn by turn as its agent sent it (system prompt, tools, the history up to the turn's model call). " +
      "Strategies: (a) no compression, cache breakpoints at the end of tools, system and the last message (`cacheBreakpoints: 'auto'`); " +
      '(b) headroom compress() of the whole uncompressed history every turn, same breakpoints; (c) (b) with `moveDynamicToTail`; ' +
      '(d) the Python package (PyPI `headroom-ai`) on the whole history every turn, same breakpoints; ' +
      `(e) the last ${section.keepLast} tool outputs whole and older ones cut to a one-line marker, same breakpoints.`,
    '',
    `Billing (Anthropic's published rules, prices taken ${section.pricesTaken}; ${models}): a request reads the longest live cached prefix found from its breakpoints ` +
      `(looking back up to ${LOOKBACK_BLOCKS} blocks) at ${m.read}×, writes from there to its last breakpoint at ${m.written5m}× (5 min) or ${m.written1h}× (1 h), ` +
      `the rest is uncached at ${m.uncached}×; entries live ${TTL_SECONDS['5m'] / 60} minutes (${TTL_SECONDS['1h'] / 60} with \`ttl: '1h'\`) from their last use; ` +
      `turns are spaced by the trajectory's timestamps, or ${DEFAULT_TURN_SECONDS} s apart. ` +
      "Tokens: headroom's counting convention (o200k_base text plus fixed overheads, as countMessageTokens counts), the same for every strategy; " +
      'turns over window: estimated tokens (o200k × 1.15, as AnthropicProvider estimates) above the model\'s context window.',
    '',
    ...sessionsSummaryMd(section),
    `| trajectory | turns | spacing | strategy | tokens sent | compress ms/turn | failed turns | ${perModel.join(' | ')} |`,
    `|---|---:|---|---|---:|---:|---:|${perModel.map((_, i) => (i % 5 === 0 ? '---|' : '---:|')).join('')}`,
    ...section.rows.flatMap((r) => {
      const base = r.runs[0]!;
      return r.runs.map((run) => {
        const cells = run.models.flatMap((x, i) => {
          const a = base.models[i]!.dollars;
          const b = x.bill;
          return [`${b.uncached} / ${b.written5m + b.written1h} / ${b.read}`, share(pct(b.read, billTokens(b))), usd(x.dollars), share(pct(a - x.dollars, a)), String(x.overWindow)];
        });
        return `| ${r.name} | ${r.turns} | ${r.spacing} | ${label(run.strategy)} | ${run.tokens} | ${ms(median(run.ms))} | ${run.failures} | ${cells.join(' | ')} |`;
      });
    }),
    ...section.skipped.map((s) => `\nskipped: ${s}`),
    '',
  ];
}

/** Cumulative input cost per turn of the longest session, one line per strategy, at the first model's prices. */
export function sessionsChart(section: SessionsSection): string | undefined {
  const longest = [...section.rows].sort((a, b) => b.turns - a.turns)[0];
  if (longest === undefined) return undefined;
  const model = section.models[0]!;
  return lineChart({
    title: `Cumulative input cost per turn: ${longest.name}`,
    unit: `dollars at ${model.label} prices, with prompt caching`,
    xLabel: 'turn',
    series: longest.runs.map((run) => ({
      label: STRATEGIES.find((s) => s.id === run.strategy)!.label,
      values: run.models[0]!.cumulative,
      note: usd(run.models[0]!.dollars),
    })),
  });
}
