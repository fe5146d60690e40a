import type { ToolInfo } from './connect.js';

/**
 * Which tools verify may call on its own. Creators make something new and return its handle; readers only
 * look. Names are matched on their first word (`create_cart`, `createCart`, `cart.create` is not matched).
 */
export const CREATOR_VERBS = ['create', 'open', 'connect', 'start', 'new', 'begin', 'launch', 'init'] as const;

/** Verbs that only read: a tool named so (and not annotated destructive) is called like a readOnlyHint tool. */
export const READER_VERBS = ['get', 'list', 'read', 'view', 'show', 'describe', 'search', 'find', 'fetch', 'lookup', 'inspect', 'count', 'echo', 'ping'] as const;

/** Verbs that end or wipe something: treated like destructiveHint even when the annotation is missing. */
export const DESTROYER_VERBS = ['destroy', 'delete', 'remove', 'drop', 'close', 'disconnect', 'end', 'stop', 'clear', 'reset', 'purge', 'kill', 'terminate', 'checkout'] as const;

/** Setters of a "current" selection, removed by migration (their value becomes a parameter). */
export const SELECTION_SETTER_VERBS = ['use', 'set', 'select', 'switch', 'choose', 'activate'] as const;

export type ToolKind = 'creator' | 'reader' | 'destructive' | 'other';

export function firstWord(name: string): string {
  return (name.split(/[_\-.\s]|(?=[A-Z])/)[0] ?? '').toLowerCase();
}

export function kindOf(tool: ToolInfo): ToolKind {
  const verb = firstWord(tool.name);
  if (tool.annotations?.destructiveHint === true) return 'destructive';
  // The server's own readOnlyHint outweighs a verb that sounds destructive.
  if (tool.annotations?.readOnlyHint !== true && (DESTROYER_VERBS as readonly string[]).includes(verb)) return 'destructive';
  if ((CREATOR_VERBS as readonly string[]).includes(verb) || mintsHandle(tool)) return 'creator';
  if (tool.annotations?.readOnlyHint === true || (READER_VERBS as readonly string[]).includes(verb)) return 'reader';
  return 'other';
}

export function isSelectionSetter(name: string): boolean {
  return (SELECTION_SETTER_VERBS as readonly string[]).includes(firstWord(name));
}

/** What the user allowed beyond the safe default. */
export interface CallPolicy {
  callAll: boolean;
  allowDestructive: boolean;
  /** Tools named in a scenario file: allowed whatever their kind. */
  named?: readonly string[];
}

/** Whether verify may call the tool: creators and readers by default, everything but destructive with --call-all. */
export function mayCall(tool: ToolInfo, policy: CallPolicy): boolean {
  if (policy.named?.includes(tool.name)) return true;
  const kind = kindOf(tool);
  if (kind === 'destructive') return policy.allowDestructive;
  return kind !== 'other' || policy.callAll;
}

/**
 * A tool that returns a `*_id` it does not take: its output schema says so, or its description does
 * ("… and return its cart_id"). Migrated selection setters (`set_active_project`) are creators of this kind.
 */
function mintsHandle(tool: ToolInfo): boolean {
  const takes = new Set(Object.keys(tool.inputSchema?.properties ?? {}));
  const outputs = Object.keys(tool.outputSchema?.properties ?? {}).filter((key) => key.endsWith('_id'));
  if (outputs.some((key) => !takes.has(key))) return true;
  const described = /\breturns?\b[^.]*?\b([a-z][a-z0-9_]*_id)\b/i.exec(tool.description ?? '')?.[1];
  return described !== undefined && !takes.has(described);
}
