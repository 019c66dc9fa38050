// Putting compressed text back: copy-on-write along the path to each changed text only. The
// message, its content array and the block are shallow copies; every other object (other blocks,
// cache_control, signatures, sibling messages) is the caller's own, by reference.

import type { BlockSite } from './sites.js';
import { isObj, type MessageFormat, type Obj } from './types.js';

/** A site and the text that replaces its text. */
export interface Replacement {
  site: BlockSite;
  text: string;
}

/** `message` with the texts of `replacements` (all sites of this message) swapped in. */
export function spliceMessage(message: Obj, format: MessageFormat, replacements: readonly Replacement[]): Obj {
  if (replacements.length === 0) return message;
  const whole = replacements.find((r) => r.site.block === -1);
  if (whole !== undefined) return { ...message, content: whole.text };
  const content = [...(message['content'] as readonly unknown[])];
  const byBlock = new Map<number, Replacement[]>();
  for (const r of replacements) {
    const list = byBlock.get(r.site.block);
    if (list === undefined) byBlock.set(r.site.block, [r]);
    else list.push(r);
  }
  for (const [j, list] of byBlock) {
    const block = content[j];
    if (!isObj(block)) continue;
    const direct = list.find((r) => r.site.part === -1);
    if (direct !== undefined) {
      const toolResult = format === 'anthropic' && direct.site.source === 'tool';
      content[j] = toolResult ? { ...block, content: direct.text } : { ...block, text: direct.text };
      continue;
    }
    const inner = [...(block['content'] as readonly unknown[])];
    for (const r of list) inner[r.site.part] = { ...(inner[r.site.part] as Obj), text: r.text };
    content[j] = { ...block, content: inner };
  }
  return { ...message, content };
}
