import type { Transform } from '../src/engine/transform.js';
import type { ProjectPlan } from './handles/project-plan.js';
import { HANDLE_OPTIONS } from './handles/store-file.js';
import { applyHandlePlan, planHandles } from './handles/transform.js';

/**
 * Process-lifetime state → explicit state handles (SL006, SL003; P2). A stdio process is not a session:
 * module-level state that one tool sets and others read (`let db` set by `connect`, read by `query`) becomes a
 * handle that the setting tool returns (text, `structuredContent` and an output schema) and every reader takes
 * as a required parameter, with no implicit "current" fallback. The tool that reset the state destroys the
 * handle and its cleanup becomes the kind's dispose hook. Module state written by tools that do not create it
 * (a last result, a counter) may be shared on purpose: it gets one marker instead.
 */
export const processStateToHandlesTransform: Transform<ProjectPlan> = {
  id: 'process-state-to-handles',
  title: 'Process state → explicit handles',
  description:
    'Rewrite module-level state that a tool sets and other tools read (a stdio server standing in for a session) into principal-bound handles returned by the creating tool.',
  rules: ['SL006', 'SL003'],
  patterns: ['P2'],
  // Groups with MCP tool registrations; the state's own module is reached through the imports.
  vocabulary: /registerTool|\.tool\(|setRequestHandler|McpServer/,
  options: HANDLE_OPTIONS,
  prepare: (context) => planHandles(context, 'process'),
  apply: applyHandlePlan,
};
