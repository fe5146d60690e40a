/**
 * What each kind of finding means, as data: rule, pattern, fixing transform, survey category and message.
 * Detectors pick a row and fill the message's blanks; wording changes happen here only.
 */
import type { PatternId, RuleId } from '../rules/rules.js';
import type { FindingKind, FixedBy, SurveyCategory } from './types.js';

export interface CatalogEntry {
  rule: RuleId;
  pattern: PatternId;
  fixedBy: FixedBy;
  category: SurveyCategory;
  /** `{state}`, `{readers}`, `{writers}`, `{detail}` are filled in by the detector. */
  message: string;
}

export const CATALOG: Record<FindingKind, CatalogEntry> = {
  'session-keyed-state': {
    rule: 'SL003',
    pattern: 'P1',
    fixedBy: 'session-state-to-handles',
    category: 'session-keyed-app-state',
    message: '{state} is keyed by the session id{detail}; mint an explicit handle in a creator tool and pass it to every tool that uses it',
  },
  'auth-bound-to-session': {
    rule: 'SL008',
    pattern: 'P1',
    fixedBy: 'manual',
    category: 'auth-bound-to-session',
    message: '{state} binds who the caller is to the session id; read identity from each request\'s verified auth (extra.authInfo / ctx.http.authInfo) instead',
  },
  'gateway-upstream-map': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'manual',
    category: 'gateway-sticky-routing',
    message: '{state} pins each session to an upstream (sticky routing); route sessionless requests by explicit handle or spread them freely',
  },
  'gateway-header-forward': {
    rule: 'SL001',
    pattern: 'P3',
    fixedBy: 'manual',
    category: 'gateway-sticky-routing',
    message: 'forwards the Mcp-Session-Id header upstream; sessionless servers neither send nor expect it',
  },
  'process-state': {
    rule: 'SL006',
    pattern: 'P2',
    fixedBy: 'process-state-to-handles',
    category: 'process-lifetime-state',
    message: '{state} lives for the whole process: set by {writers}, read by {readers}; return a handle from the setter and require it in the readers',
  },
  'factory-closure-state': {
    rule: 'SL003',
    pattern: 'P5',
    fixedBy: 'session-state-to-handles',
    category: 'session-keyed-app-state',
    message: '{state} is captured by the server factory{detail}; written by {writers}, read by {readers}; keep it in a handle store instead',
  },
  'class-field-state': {
    rule: 'SL003',
    pattern: 'P6',
    fixedBy: 'session-state-to-handles',
    category: 'session-keyed-app-state',
    message: '{state} is a field of {detail}; written by {writers}, read by {readers}; store records by handle instead',
  },
  'shared-server-connect': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: 'the server `{state}` is one instance for every request (the module\'s, or a field of the handler\'s object), connected to a new transport by each: requests served at once share its one connection, and the SDK refuses a second connect while one is open ("Already connected"); build a server per request (v1: a factory called in the handler; v2: createMcpHandler)',
  },
  'unsolicited-request': {
    rule: 'SL005',
    pattern: 'P9',
    fixedBy: 'manual',
    category: 'process-lifetime-state',
    message: '`{detail}` asks the client from a listener or timer, outside any request: sessionless servers ask the client only while serving one of its requests (2026-07-28: an input-required result of a tool call); make it a tool the client calls, or drop it',
  },
  'explicit-id-registry': {
    rule: 'SL003',
    pattern: 'P6',
    fixedBy: 'manual',
    category: 'session-keyed-app-state',
    message: '{state}: records kept under ids the tools mint and take back (explicit handles already), in {detail}; build the registry once for the process so every request reaches the records, and bind each id to the caller that created it',
  },
  'selection-state': {
    rule: 'SL003',
    pattern: 'P7',
    fixedBy: 'session-state-to-handles',
    category: 'session-keyed-app-state',
    message: '{state} is a "current selection" set by {writers} and used implicitly by {readers}; make it an explicit parameter or a handle the setter returns',
  },
  'session-id-read': {
    rule: 'SL001',
    pattern: 'P1',
    fixedBy: 'manual',
    category: 'session-keyed-app-state',
    message: 'application code reads the session id{detail}',
  },
  'transport-map': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: '{state} routes requests to per-session transports; serve each request statelessly instead',
  },
  'session-id-generator': {
    rule: 'SL001',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: 'sessionIdGenerator mints Mcp-Session-Id values for session routing; set it to undefined (v1) or use createMcpHandler (v2)',
  },
  'unused-session-id-generator': {
    rule: 'SL001',
    pattern: 'P10',
    fixedBy: 'stateless-transport',
    category: 'generator-set-unused',
    message: 'sessionIdGenerator is set but nothing reads the session id; serving statelessly needs no application change',
  },
  'session-callback': {
    rule: 'SL001',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: '{detail} belongs to the removed session lifecycle',
  },
  'session-header': {
    rule: 'SL001',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: '{detail} the Mcp-Session-Id header, which the 2026-07-28 revision removed',
  },
  'initialize-routing': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: 'routes on the initialize request to open a session; sessionless servers handle every request alike',
  },
  'session-error': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: 'answers with a session error ({detail}); sessionless servers never reject a request for its session',
  },
  'framework-sessions': {
    rule: 'SL001',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: '{detail} serves HTTP with a session per Mcp-Session-Id; turn on its stateless mode (httpStream.stateless: true: a fresh session per request, 405 for GET and DELETE)',
  },
  'session-route': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: '{detail} route serves a session stream or session teardown; answer 405 instead',
  },
  'sse-transport': {
    rule: 'SL002',
    pattern: 'P3',
    fixedBy: 'stateless-transport',
    category: 'routing-map-only',
    message: 'the HTTP+SSE transport routes POSTs to a per-session stream; serve Streamable HTTP statelessly instead',
  },
  'list-toggle': {
    rule: 'SL004',
    pattern: 'P4',
    fixedBy: 'static-lists',
    category: 'session-keyed-app-state',
    message: '{detail} changes whether {state} is listed, so the list depends on earlier calls; register it up front and check the precondition at call time',
  },
  'register-in-handler': {
    rule: 'SL004',
    pattern: 'P4',
    fixedBy: 'static-lists',
    category: 'session-keyed-app-state',
    message: '{state} is registered while {writers} runs, so the list depends on earlier calls; {detail}',
  },
  'list-changed': {
    rule: 'SL004',
    pattern: 'P4',
    fixedBy: 'static-lists',
    category: 'session-keyed-app-state',
    message: '{detail} list_changed is sent from {writers}: the list depends on earlier calls; keep the list static',
  },
  'derived-resource-list': {
    rule: 'SL004',
    pattern: 'P8',
    fixedBy: 'static-lists',
    category: 'session-keyed-app-state',
    message: 'resources/list is derived from {state}, which {writers} fill; expose a resource template keyed by handle and return resource_link from the creator',
  },
  'client-context': {
    rule: 'SL005',
    pattern: 'P9',
    fixedBy: 'per-request-context',
    category: 'session-keyed-app-state',
    message: '{detail}; read it from the current request instead',
  },
  'session-push': {
    rule: 'SL005',
    pattern: 'P9',
    fixedBy: 'manual',
    category: 'session-keyed-app-state',
    message: '{detail}',
  },
};
