import type { Transform } from '../src/engine/transform.js';
import { renderHandleScope } from '../src/templates/handle-scope.js';
import { applyHandlePlan } from './handles/transform.js';
import { HANDLE_OPTIONS, languageOf, readOptions } from './handles/store-file.js';
import { specifierFor } from './handles/imports.js';
import { planScopes, type ScopePlan } from './scope/plan.js';

/**
 * Conversation state the fine-grained handle transforms could not split → one record per conversation behind
 * one explicit handle (SL006, SL003; P2). The fallback that keeps a server from staying on sessions: module
 * state tools create lazily (`ensureBrowser()`), set, or read through helpers, getters and state modules
 * becomes a record that a generated creator tool starts; every tool that reaches the state takes its id and
 * runs inside that record, whatever way the tools are registered (McpServer, tool tables, tool classes,
 * the low-level Server's tools/list and tools/call). References become record properties; the code around
 * them keeps its control flow. Shutdown code that released the state becomes the record's cleanup.
 */
export const sessionScopeTransform: Transform<ScopePlan> = {
  id: 'session-scope',
  title: 'Conversation state → one record behind a handle',
  description:
    'Gather module state that tools keep between calls (and that no finer handle took over) into one record per conversation: a creator tool returns its id, every tool that reaches the state takes it and runs inside that record.',
  rules: ['SL006', 'SL003'],
  patterns: ['P2'],
  vocabulary: /registerTool|\.tool\(|\.addTool\(|setRequestHandler|McpServer|new Server\b|ServerTransport/,
  options: HANDLE_OPTIONS,
  prepare: (context) => planScopes(context.project, { ...readOptions(context), supports: context.supports }),
  apply(context) {
    applyHandlePlan(context);
    const { scopePath, storePath } = context.plan;
    const share = context.plan.files.get(context.relPath);
    if (!scopePath || !storePath || !share || share.edits.isEmpty || context.fileExists(scopePath)) return;
    const specifier = specifierFor(context.file, scopePath, storePath);
    // Structured output only where the SDK release has it (the low-level creator answers through this module).
    const structuredOutput = context.supports('structured-output');
    context.emitFile(scopePath, renderHandleScope({ language: languageOf(scopePath), storeSpecifier: specifier, structuredOutput }));
  },
};
