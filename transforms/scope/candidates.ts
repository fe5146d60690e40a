/**
 * Which module state becomes a conversation's record (the coarse handle), and which tools and shutdown
 * handlers reach it. This is the fallback behind the fine-grained handle transforms: whatever module state
 * they left in place that tools still create, change or read between calls.
 */
import { Node, type Identifier, type SourceFile } from 'ts-morph';
import type { Registration, ServerModel, StateVariable } from '../../src/analysis/index.js';
import { literalText, unwrap } from '../../src/analysis/syntax.js';
import { CONVERSATIONAL_CREATORS, CONVERSATIONAL_NAMES, SHUTDOWN_EVENTS } from '../../src/rules/scope-state.js';
import { referencesTo } from '../shared/declarations.js';
import { isExported } from '../shared/exports.js';

/** A statement of a shutdown handler that uses the state: it becomes the record's cleanup. */
export interface ShutdownUse {
  statement: Node;
  /** The handler function, to know whether it can await. */
  handler: Node;
}

/** The state one file keeps for a conversation, and everything that reaches it. */
export interface ScopeCandidate {
  file: SourceFile;
  states: StateVariable[];
  /** Same-file references of each state, by state name (shutdown uses excluded). */
  references: Map<string, Identifier[]>;
  /** References inside the shutdown statements, which move into the record's cleanup. */
  cleanupReferences: Identifier[];
  /** Tool registrations whose calls reach the state. */
  tools: Registration[];
  shutdown: ShutdownUse[];
}

/** A state that cannot join its file's record: one marker, and the file's record is not built. */
export interface ScopeDecline {
  node: Node;
  message: string;
}

/** Module state that carries a conversation: set by tools, or created lazily as a live per-conversation object. */
export function isConversational(state: StateVariable): boolean {
  if (state.kind !== 'module' || state.holdsTransports || state.holdsUpstreams) return false;
  if (state.dependence === 'implicit') return true;
  if (state.dependence !== 'lazy-global') return false;
  if (CONVERSATIONAL_NAMES.some((test) => test.test(state.name))) return true;
  return state.accesses.some((access) => access.value !== undefined && CONVERSATIONAL_CREATORS.some((test) => test.test(access.value!.getText())));
}

/** The `process.on('SIGINT', handler)` handler holding a node, if any. */
function shutdownHandlerOf(node: Node): Node | undefined {
  for (const ancestor of node.getAncestors()) {
    if (!Node.isArrowFunction(ancestor) && !Node.isFunctionExpression(ancestor)) continue;
    const call = ancestor.getParent();
    if (!call || !Node.isCallExpression(call)) continue;
    const callee = unwrap(call.getExpression());
    if (!Node.isPropertyAccessExpression(callee) || !['on', 'once', 'addListener'].includes(callee.getName())) continue;
    if (callee.getExpression().getText() !== 'process') continue;
    const event = literalText(call.getArguments()[0]);
    if (event && SHUTDOWN_EVENTS.includes(event)) return ancestor;
  }
  return undefined;
}

/** The statement directly in `handler`'s body that holds `node`. */
function bodyStatementOf(node: Node, handler: Node): Node | undefined {
  const body = Node.isArrowFunction(handler) || Node.isFunctionExpression(handler) ? handler.getBody() : undefined;
  if (!body || !Node.isBlock(body)) return undefined;
  return node.getAncestors().find((ancestor) => ancestor.getParent() === body);
}

/**
 * Per file, the conversational state tools reach, or why it cannot be gathered. A file is all or nothing:
 * its states are created and cleaned up together (`ensureBrowser()` sets the browser and the page).
 */
export function findCandidates(model: ServerModel): { candidates: ScopeCandidate[]; declines: ScopeDecline[] } {
  const byFile = new Map<string, StateVariable[]>();
  for (const state of model.states) {
    if (!isConversational(state)) continue;
    if (!state.accesses.some((access) => access.by.some((r) => r.kind === 'tool'))) continue;
    const list = byFile.get(state.file) ?? [];
    list.push(state);
    byFile.set(state.file, list);
  }
  const candidates: ScopeCandidate[] = [];
  const declines: ScopeDecline[] = [];
  for (const states of byFile.values()) {
    const declaration = states[0]!.declaration;
    const file = declaration.getSourceFile();
    const references = new Map<string, Identifier[]>();
    const tools = new Set<Registration>();
    const shutdown = new Map<Node, ShutdownUse>();
    const problems: ScopeDecline[] = [];
    for (const state of states) {
      const node = state.declaration;
      if (!Node.isVariableDeclaration(node) || !Node.isIdentifier(node.getNameNode())) {
        problems.push({ node, message: `${state.name} is not a plain variable declaration; give the tools that use it a handle by hand` });
        continue;
      }
      const statement = node.getVariableStatement();
      if (!statement || !Node.isSourceFile(statement.getParent()) || isExported(statement)) {
        problems.push({ node, message: `${state.name} is exported or not declared at the top of its module; make it a handle by hand` });
        continue;
      }
      for (const access of state.accesses) {
        for (const registration of access.by) tools.add(registration);
        const outsideTools = access.by.length === 0;
        const handler = shutdownHandlerOf(access.node);
        if (handler) {
          const statement = bodyStatementOf(access.node, handler);
          if (statement) shutdown.set(statement, { statement, handler });
          else problems.push({ node: access.node, message: `${state.name} is released in a shutdown handler written in a way that cannot be moved to the record's cleanup` });
        } else if (access.byOther.length > 0) {
          problems.push({ node: access.node, message: `${state.name} is also used by ${access.byOther.join(', ')}, which cannot take a handle; serve it as a resource template keyed by the handle` });
        } else if (outsideTools && access.node !== node.getNameNode()) {
          problems.push({ node: access.node, message: `${state.name} is used outside any tool call (${file.getBaseName()}:${access.node.getStartLineNumber()}); decide whether it belongs to one conversation or to the whole server` });
        }
      }
    }
    const nonTools = [...tools].filter((r) => r.kind !== 'tool');
    for (const registration of nonTools) {
      problems.push({ node: registration.call, message: `${registration.label} reads ${states.map((s) => s.name).join(', ')} but cannot take a handle; serve it as a resource template keyed by the handle` });
    }
    if (problems.length > 0) {
      declines.push(problems[0]!);
      continue;
    }
    const statements = [...shutdown.keys()];
    const inShutdown = (id: Identifier) => statements.some((statement) => id.getAncestors().includes(statement));
    const cleanupReferences: Identifier[] = [];
    for (const state of states) {
      const all = referencesTo(state.declaration);
      references.set(state.name, all.filter((id) => !inShutdown(id)));
      cleanupReferences.push(...all.filter(inShutdown));
      const exported = all.find((id) => Node.isExportSpecifier(id.getParent()));
      if (exported) problems.push({ node: exported, message: `${state.name} is exported; make it a handle by hand` });
    }
    if (problems.length > 0) {
      declines.push(problems[0]!);
      continue;
    }
    candidates.push({ file, states, references, cleanupReferences, tools: [...tools].filter((r) => r.kind === 'tool'), shutdown: [...shutdown.values()] });
  }
  return { candidates, declines };
}
