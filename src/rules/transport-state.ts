/**
 * What counts as state a server factory keeps between requests (pattern P5), as data.
 * Under one server per session, a closure variable of the factory lived as long as the session;
 * under `createMcpHandler` (or a fresh v1 server per request) the factory runs per request and the
 * variable silently starts empty every time. The transport transform refuses to rewrite an entry
 * whose factory holds such state and marks it instead.
 */

export { CONTAINER_CONSTRUCTORS, KEYED_METHODS, MUTATING_METHODS } from './containers.js';

/**
 * Server-to-client requests a tool awaits mid-call (elicitation, sampling). On a v1 server built per request the
 * client's answer arrives in a new POST, at another server, so the awaiting call never completes: these need the
 * v2 SDK's input requests (`inputRequired`) or a sessionful endpoint. Roots requests are client context (SL005),
 * which the audit reports on its own.
 */
export const SERVER_REQUEST_METHODS: readonly string[] = ['elicitInput', 'createMessage', 'sendRequest'];

/** Property names that hold a session id on request contexts and transports. */
export const SESSION_ID_PROPERTIES: readonly string[] = ['sessionId'];

/**
 * Counting methods of metrics libraries (prom-client's Gauge and Counter, StatsD clients): a session count moved
 * only through them (`activeSessionsGauge.inc()`) has nothing left to count once sessions go.
 */
export const COUNTING_METHODS: readonly string[] = ['inc', 'dec', 'set', 'increment', 'decrement', 'gauge'];

/** A name that says it counts sessions (`activeSessionsGauge`, `openSessions`). */
export const SESSION_COUNT_NAME = /sessions?/i;

/** Session lifecycle hooks whose function runs when a session ends (`transport.onclose`, `onsessionclosed`). */
export const SESSION_CLOSE_HOOKS: readonly string[] = ['onclose', 'onsessionclosed'];
