// What headroom may change: tool output (unless the tool is protected) and user text that detects
// as machine output. Everything else — system, tools, assistant text, thinking, images, documents,
// tool_use inputs, prose, code, unknown blocks — is never a candidate.

import type { BlockKind } from '../engine/types.js';

/**
 * Tools whose output is file content the model must see verbatim (a later exact-match edit quotes
 * it): Claude Code's file tools, Anthropic's text-editor tool, and common file readers.
 */
export const DEFAULT_PROTECT_TOOLS: readonly string[] = [
  'Read', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'str_replace_based_edit_tool', 'str_replace_editor', 'read_file', 'view',
];

/** Kinds of machine output: the only user text headroom compresses. */
export const MACHINE_KINDS: ReadonlySet<BlockKind> = new Set<BlockKind>(['json', 'log', 'search', 'diff', 'opaque']);

/** Kinds that read as a person's words: the human text that makes up a block's query. */
export function isHumanKind(kind: BlockKind | undefined): boolean {
  return kind === 'text' || kind === 'code';
}

/**
 * A predicate for tool names matching any of `patterns`: globs where `*` matches any run of
 * characters and `?` one character; everything else is literal and case-sensitive.
 */
export function toolMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  const source = patterns
    .map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^]*').replace(/\?/g, '[^]'))
    .join('|');
  const re = new RegExp(`^(?:${source})$`, 'u');
  return (name) => re.test(name);
}
