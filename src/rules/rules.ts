/**
 * The rules a sessionless MCP server (protocol revision 2026-07-28, SEP-2567 + SEP-2575) keeps.
 * Rule ids are stable: they appear in audit output, SARIF and marker comments.
 */
export type RuleId =
  | 'SL001'
  | 'SL002'
  | 'SL003'
  | 'SL004'
  | 'SL005'
  | 'SL006'
  | 'SL007'
  | 'SL008'
  | 'SL009'
  | 'SL010';

export type RuleLevel = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'removed' | 'guidance';

/** How loudly a finding under a rule is reported: the spec's requirement level decides (also SARIF's level). */
export type Severity = 'error' | 'warning' | 'note';

export const SEVERITY_OF_LEVEL: Record<RuleLevel, Severity> = {
  MUST: 'error',
  'MUST NOT': 'error',
  removed: 'error',
  SHOULD: 'warning',
  'SHOULD NOT': 'warning',
  guidance: 'note',
};

export interface Rule {
  id: RuleId;
  title: string;
  level: RuleLevel;
  /** One paragraph a reviewer can act on. */
  help: string;
}

export const RULES: Record<RuleId, Rule> = {
  SL001: {
    id: 'SL001',
    title: 'No Mcp-Session-Id',
    level: 'removed',
    help: 'The 2026-07-28 revision removed the Mcp-Session-Id header and the session lifecycle: no sessionIdGenerator, onsessioninitialized/onsessionclosed, header reads, or transport/extra/ctx.sessionId in application code.',
  },
  SL002: {
    id: 'SL002',
    title: 'No per-session transport routing',
    level: 'SHOULD',
    help: 'Serve every request statelessly: no Map<sessionId, Transport>, no 404 "Session not found" / 400 "Session ID required"; GET and DELETE on the MCP endpoint answer 405.',
  },
  SL003: {
    id: 'SL003',
    title: 'No application state keyed by session or connection',
    level: 'MUST',
    help: 'State that spans requests is referenced by an explicit handle that a creator tool returns and the client passes to every tool that uses it.',
  },
  SL004: {
    id: 'SL004',
    title: 'Static list endpoints',
    level: 'MUST NOT',
    help: 'tools/list, resources/list and prompts/list must not vary per connection or as a side effect of earlier calls. Register everything up front; check preconditions at call time. Filtering by the request credentials is allowed.',
  },
  SL005: {
    id: 'SL005',
    title: 'No context from earlier requests',
    level: 'MUST NOT',
    help: 'Client capabilities, protocol version, log level and roots are read from the current request, not cached at initialize.',
  },
  SL006: {
    id: 'SL006',
    title: 'No process-lifetime state standing in for a session',
    level: 'SHOULD NOT',
    help: 'A stdio process is not a session: module-level state set by one tool and read by another becomes a handle.',
  },
  SL007: {
    id: 'SL007',
    title: 'Opaque, unguessable handles',
    level: 'SHOULD',
    help: 'Mint handles from a CSPRNG with at least 128 bits (kind_<22+ base64url chars>); never derive them from user ids, counters or timestamps.',
  },
  SL008: {
    id: 'SL008',
    title: 'Handles are bound to the principal',
    level: 'MUST NOT',
    help: 'Possession of a handle is not authorization: resolve handles against the principal from verified auth.',
  },
  SL009: {
    id: 'SL009',
    title: 'Helpful handle errors and stated lifetimes',
    level: 'guidance',
    help: 'An unknown or expired handle is a tool error naming the handle and the tool to call; the creator tool description says how long the handle lives.',
  },
  SL010: {
    id: 'SL010',
    title: 'Filtered lists are privately cacheable',
    level: 'MUST',
    help: 'Lists filtered by credentials carry cacheScope: "private" (SEP-2549).',
  },
};

/** Session-dependence patterns (design notes section 2). */
export type PatternId = 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6' | 'P7' | 'P8' | 'P9' | 'P10';

export const PATTERNS: Record<PatternId, string> = {
  P1: 'session-keyed state',
  P2: 'process-lifetime state (stdio)',
  P3: 'per-session transport map',
  P4: 'gated tool lists',
  P5: 'factory-closure state',
  P6: 'class-field state on a per-connection object',
  P7: '"current selection" setter',
  P8: 'lists derived from state',
  P9: 'client-derived context cached per connection',
  P10: 'transport-only session id (generated, never read)',
};

/** The grep-able marker that every follow-up comment carries. */
export const TODO_MARKER = '@mcp-sessionless-todo';

/** {@link TODO_MARKER} escaped for use inside a regular expression. */
export const TODO_MARKER_PATTERN = TODO_MARKER.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
