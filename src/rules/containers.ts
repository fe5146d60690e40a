/**
 * Built-in containers, as data: the audit, the handle transforms and the transport transform all ask
 * whether a call changes a container in place or keys into it, and must answer alike.
 */

/** Constructors whose instances are mutable containers (`new Map()`). */
export const CONTAINER_CONSTRUCTORS: readonly string[] = ['Map', 'Set', 'WeakMap', 'WeakSet', 'Array'];

/** Methods that change their receiver in place: arrays, Maps and Sets. */
export const MUTATING_METHODS: readonly string[] = [
  'set',
  'add',
  'delete',
  'clear',
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
];

/** Methods whose first argument is a key (`carts.get(extra.sessionId)`). */
export const KEYED_METHODS: readonly string[] = ['get', 'set', 'has', 'delete'];
