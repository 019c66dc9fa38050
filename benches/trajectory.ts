// An agent session from a trajectory file, as the agent sent it to its model: the system prompt,
// the tools, the chat history, and one turn per model call. SWE-agent `.traj` files keep the
// whole history under `history` (OpenAI chat messages, with `tool_calls` when the agent used
// function calling); their extra fields (`agent`, `thought`, `action`, …) were never sent and are
// dropped. Function-calling agents sent tools built from their command definitions
// (`replay_config.agent.tools.command_docs`); those are rebuilt here as Anthropic tools.
import type { OpenAIMessage, OpenAIToolCall } from '../src/messages/types.js';

/** Seconds between turns when the trajectory carries no timestamps. */
export const DEFAULT_TURN_SECONDS = 30;

export interface AnthropicTool {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, { type: string; description: string }>; required: string[] };
}

export interface Turn {
  /** The request of this turn is `history.slice(0, end)`. */
  end: number;
  /** Seconds since the session's first request. */
  at: number;
}

export interface Session {
  name: string;
  system: string | undefined;
  tools: AnthropicTool[];
  /** The chat history without the system prompt, as the API saw it. */
  history: OpenAIMessage[];
  turns: Turn[];
  /** Where the turn times come from. */
  spacing: 'timestamps' | `${number} s`;
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a trajectory; a file without a usable history is reported, not thrown. */
export function readTrajectory(name: string, text: string): Session | { name: string; error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { name, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isObj(doc) || !Array.isArray(doc['history'])) return { name, error: 'no `history` array' };
  const raw = doc['history'].filter(isObj);
  let system: string | undefined;
  const history: OpenAIMessage[] = [];
  const stamps: (number | undefined)[] = [];
  for (const m of raw) {
    const role = m['role'];
    const content = m['content'];
    if (role === 'system' && history.length === 0 && typeof content === 'string') {
      system = system === undefined ? content : `${system}\n${content}`;
      continue;
    }
    const message = chatMessage(m);
    if (message === undefined) continue;
    history.push(message);
    stamps.push(role === 'assistant' ? timestamp(m) : undefined);
  }
  const ends = history.flatMap((m, i) => (m.role === 'assistant' ? [i] : []));
  if (ends.length === 0) return { name, error: 'no assistant turn in `history`' };
  const times = ends.map((i) => stamps[i]);
  const stamped = times.every((t): t is number => t !== undefined);
  const t0 = stamped ? times[0]! : 0;
  return {
    name,
    system,
    tools: history.some((m) => m.tool_calls !== undefined) ? toolsOf(doc) : [],
    history,
    turns: ends.map((end, k) => ({ end, at: stamped ? times[k]! - t0 : k * DEFAULT_TURN_SECONDS })),
    spacing: stamped ? 'timestamps' : `${DEFAULT_TURN_SECONDS} s`,
  };
}

/** The fields the chat API takes, nothing else (a system message after the first is not kept). */
function chatMessage(m: Obj): OpenAIMessage | undefined {
  const role = m['role'];
  const raw = m['content'];
  const content = typeof raw === 'string' || Array.isArray(raw) ? (raw as OpenAIMessage['content']) : raw === null ? null : undefined;
  if (role === 'user') return { role, content: content ?? '' };
  if (role === 'assistant') {
    const calls = Array.isArray(m['tool_calls']) ? m['tool_calls'].filter(isToolCall) : [];
    return calls.length > 0 ? { role, content: content ?? null, tool_calls: calls } : { role, content: content ?? '' };
  }
  if (role === 'tool') {
    const ids = m['tool_call_ids'];
    const id = typeof m['tool_call_id'] === 'string' ? m['tool_call_id'] : Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : undefined;
    return id === undefined ? undefined : { role, tool_call_id: id, content: content ?? '' };
  }
  return undefined;
}

function isToolCall(c: unknown): c is OpenAIToolCall {
  if (!isObj(c) || typeof c['id'] !== 'string' || !isObj(c['function'])) return false;
  return typeof c['function']['name'] === 'string' && typeof c['function']['arguments'] === 'string';
}

/** A message's time in seconds (`timestamp`, `created_at` or `created`: epoch seconds or ms, or ISO text). */
function timestamp(m: Obj): number | undefined {
  for (const field of ['timestamp', 'created_at', 'created']) {
    const v = m[field];
    if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? v / 1000 : v;
    if (typeof v === 'string') {
      const ms = Date.parse(v);
      if (!Number.isNaN(ms)) return ms / 1000;
    }
  }
  return undefined;
}

/**
 * SWE-agent's command docs as tools. The docs list each command as `name:` followed by indented
 * `docstring:`, `signature:` and `arguments:` with lines `- arg (type) [required|optional]: text`.
 */
function toolsOf(doc: Obj): AnthropicTool[] {
  let config: unknown = doc['replay_config'];
  if (typeof config === 'string') {
    try {
      config = JSON.parse(config);
    } catch {
      return [];
    }
  }
  const agent = isObj(config) ? config['agent'] : undefined;
  const tools = isObj(agent) ? agent['tools'] : undefined;
  const docs = isObj(tools) ? tools['command_docs'] : undefined;
  if (typeof docs !== 'string') return [];
  const out: AnthropicTool[] = [];
  let tool: AnthropicTool | undefined;
  for (const line of docs.split('\n')) {
    const head = /^([A-Za-z_][\w-]*):\s*$/.exec(line);
    if (head) {
      tool = { name: head[1]!, description: '', input_schema: { type: 'object', properties: {}, required: [] } };
      out.push(tool);
      continue;
    }
    if (tool === undefined) continue;
    const doc = /^\s+docstring:\s*(.*)$/.exec(line);
    if (doc) {
      tool.description = doc[1]!.trim();
      continue;
    }
    const arg = /^\s+-\s+([\w-]+)\s+\((\w+)\)\s+\[(required|optional)\]:\s*(.*)$/.exec(line);
    if (arg) {
      tool.input_schema.properties[arg[1]!] = { type: arg[2]!, description: arg[4]!.trim() };
      if (arg[3] === 'required') tool.input_schema.required.push(arg[1]!);
    }
  }
  return out;
}

/** Whether history[i] is a tool's output: a tool message, or a user message answering an action. */
export function isToolOutput(history: readonly OpenAIMessage[], i: number): boolean {
  const m = history[i];
  if (m?.role === 'tool') return true;
  return m?.role === 'user' && history.slice(0, i).some((p) => p.role === 'assistant');
}
