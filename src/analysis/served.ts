/**
 * How a server is served: per connection or per request (HTTP, sessions, factories run per request), or as one
 * stdio process. The audit's rules and the handle transforms' markers both key off it (SL003 against SL006).
 */
import type { ServerModel } from './model.js';

/** Session plumbing that routes requests to a connection's transport. */
export const ROUTING_PLUMBING: ReadonlySet<string> = new Set([
  'transport-map',
  'session-callback',
  'session-header-read',
  'session-header-write',
  'session-header-forward',
  'initialize-routing',
  'session-error',
  'session-route',
  'sse-transport',
  'framework-sessions',
]);

/** Whether the server is served per connection or per request rather than as one stdio process. */
export function servedPerConnection(model: ServerModel): boolean {
  return (
    model.transports.some((t) => t.sessionful || t.kind !== 'stdio') ||
    model.plumbing.some((p) => ROUTING_PLUMBING.has(p.kind)) ||
    model.factories.some((f) => f.invocation === 'per-request' || f.invocation === 'per-session')
  );
}
