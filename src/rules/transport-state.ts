/**
 * What counts as state a server factory keeps between requests (pattern P5), as data.
 * Under one server per session, a closure variable of the factory lived as long as the session;
 * under `createMcpHandler` (or a fresh v1 server per request) the factory runs per request and the
 * variable silently starts empty every time. The transport transform refuses to rewrite an entry
 * whose factory holds such state and marks it instead.
 */

/** Constructors whose instances are mutable containers. */
export const CONTAINER_CONSTRUCTORS: readonly string[] = ['Map', 'Set', 'WeakMap', 'WeakSet', 'Array'];

/** Methods that change a container in place. */
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

/** Methods whose first argument is a key (session-keyed state: `carts.get(extra.sessionId)`). */
export const KEYED_METHODS: readonly string[] = ['get', 'set', 'has', 'delete'];

/** Property names that hold a session id on request contexts and transports. */
export const SESSION_ID_PROPERTIES: readonly string[] = ['sessionId'];
