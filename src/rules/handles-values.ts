/**
 * What the handle transforms need to know about values, as data: which calls change a value in place
 * (a copy held in Redis must then be written back), and which values cannot be JSON data at all
 * (they must stay in the process that made them).
 */

export { MUTATING_METHODS } from './containers.js';

/** Constructors whose instances are not JSON data: a value built from one stays in this process. */
export const NON_JSON_CONSTRUCTORS: readonly string[] = [
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Date',
  'Promise',
  'RegExp',
  'Error',
  'AbortController',
  'EventEmitter',
  'Worker',
  'ChildProcess',
  'URL',
  'Buffer',
];

/** Type names in an annotation that are JSON data (anything else is judged by its declaration). */
export const JSON_TYPE_NAMES: readonly string[] = ['string', 'number', 'boolean', 'null', 'undefined', 'unknown', 'Record', 'Array', 'ReadonlyArray', 'Partial', 'Readonly', 'Pick', 'Omit', 'Required'];

/** Guard statements made pointless by a resolve (it throws for a missing handle): `if (!db) return …`. */
export const DEAD_GUARD_EXITS: readonly string[] = ['return', 'throw'];
