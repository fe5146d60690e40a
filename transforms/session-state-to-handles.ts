import type { Transform } from '../src/engine/transform.js';
import type { ProjectPlan } from './handles/project-plan.js';
import { HANDLE_OPTIONS } from './handles/store-file.js';
import { applyHandlePlan, planHandles } from './handles/transform.js';

/**
 * Session and connection state → explicit state handles (SL003; P1, P5, P6, P7).
 * - P1: containers keyed by the session id (`carts.get(extra.sessionId)`);
 * - P5: variables of a server factory that relied on one factory run per session (`let notes = []`);
 * - P6: fields of a per-connection object (`this.cells`), gathered into one record per object;
 * - P7: "current selection" set by a setter tool (`use_database`, `set_active_project`).
 * The tool that establishes the state (or a generated `create_<thing>`) returns a handle with an output schema
 * and states its lifetime; every tool that used the state takes `<thing>_id` and resolves it through the
 * handle store written into the project; cleanup paths become `destroy_<thing>`. What cannot be decided
 * (state shared across sessions on purpose, server push to "this session") gets one marker.
 */
export const sessionStateToHandlesTransform: Transform<ProjectPlan> = {
  id: 'session-state-to-handles',
  title: 'Session state → explicit handles',
  description:
    'Rewrite state kept per session or connection (session-keyed maps, factory closures, per-connection class fields, current-selection setters) into principal-bound handles that a creator tool returns and every dependent tool takes as a parameter.',
  rules: ['SL003'],
  patterns: ['P1', 'P5', 'P6', 'P7'],
  // Groups with MCP registrations or session ids; the state's own module is reached through the imports.
  vocabulary: /sessionId|registerTool|\.tool\(|setRequestHandler|McpServer/,
  options: HANDLE_OPTIONS,
  prepare: (context) => planHandles(context, 'session'),
  apply: applyHandlePlan,
};
