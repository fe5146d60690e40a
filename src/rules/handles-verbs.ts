/**
 * What a tool's name says about its part in a piece of state's life, as data. The handle transforms
 * read only these tables to decide which tool creates state, which selects it and which ends it.
 * A tool name is split on `_`, `-`, `.` and camel case; its first word is the verb.
 */
import { SETTER_VERBS } from '../analysis/vocabulary.js';

/** Tools that establish state: the first becomes the creator and returns the handle. */
export const CREATOR_VERBS: readonly string[] = [
  'connect',
  'open',
  'login',
  'signin',
  'start',
  'create',
  'new',
  'launch',
  'init',
  'initialize',
  'begin',
  'attach',
  'spawn',
  'load',
];

/** "Current selection" setters (P7): shared with the analysis so audit and migration agree. */
export { SETTER_VERBS };

/** Tools that end state: when they reset it, they become the destroy tool and their cleanup the dispose hook. */
export const CLEANUP_VERBS: readonly string[] = [
  'close',
  'disconnect',
  'quit',
  'exit',
  'destroy',
  'delete',
  'remove',
  'logout',
  'signout',
  'end',
  'stop',
  'terminate',
  'shutdown',
  'detach',
  'release',
  'dispose',
  'kill',
];

/** Methods called on a value when it is released (`db.close()`): they make the kind's dispose hook. */
export const DISPOSE_METHODS: readonly string[] = ['close', 'end', 'quit', 'disconnect', 'destroy', 'dispose', 'release', 'kill', 'terminate', 'stop'];

/** The words of a tool name: `connect_database` → [connect, database], `openPage` → [open, page]. */
export function wordsOf(toolName: string): string[] {
  return toolName
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** The role a tool name suggests for state it writes. */
export type ToolRole = 'creator' | 'setter' | 'cleanup' | 'other';

export function roleOf(toolName: string): ToolRole {
  const verb = wordsOf(toolName)[0] ?? '';
  if (CREATOR_VERBS.includes(verb)) return 'creator';
  if (SETTER_VERBS.includes(verb)) return 'setter';
  if (CLEANUP_VERBS.includes(verb)) return 'cleanup';
  return 'other';
}
