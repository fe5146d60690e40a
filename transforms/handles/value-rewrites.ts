/**
 * The tool-side rewrites of whole-value state (P2, P5, P7): the creator mints and returns the handle, every
 * other tool takes it, resolves it first, writes changes back and destroys it where it used to reset it.
 */
import { Node, type Statement } from 'ts-morph';
import type { Registration, StateAccess } from '../../src/analysis/index.js';
import { prependToBody } from './body.js';
import { addHandleToResult, makeCreator } from './creator.js';
import { disposeOf, isResetStatement } from './effects.js';
import { call, idSchema } from './generate.js';
import { indentOf } from './layout.js';
import type { KindNames } from './naming.js';
import { addIdParam, ensureAsync, ensureContext } from './params.js';
import { formOf, type EditableTool } from './registration.js';
import { isAssignmentStatement, isDeadGuard, returnsOf, statementOf, styleOf, Undecided, type PlanContext } from './site.js';

/** One tool's part in the state's life. */
export interface ToolUse {
  registration: Registration;
  tool: EditableTool;
  accesses: StateAccess[];
}

/** The creator assigns the value: now it mints a handle to it and returns the handle. */
export function rewriteCreator(use: ToolUse, name: string, names: KindNames, users: readonly string[], plan: PlanContext): void {
  const { tool } = use;
  const handler = tool.handler!;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const style = styleOf(file, use.registration.sdk, plan.options);
  const assignment = use.accesses.find((a) => a.op === 'assign' && !a.reset && !a.lazyInit)!;
  const statement = statementOf(assignment.node);
  const body = handler.getBody();
  if (!statement || !isAssignmentStatement(statement, assignment.node) || statement.getParent() !== body) {
    throw new Undecided(use.registration.call, `${tool.name} sets ${name} inside a nested block or expression`);
  }
  const context = ensureContext(edits, tool, use.registration.sdk);
  if (!context) throw new Undecided(use.registration.call, `the context parameter of ${tool.name} is destructured`);
  ensureAsync(edits, handler);
  makeCreator(edits, tool, style, names, users);

  // Before the assignment only "close the previous one" may touch the value: each call now makes a new handle.
  const previous = new Set<Statement>();
  for (const access of use.accesses) {
    if (access === assignment || access.node.getStart() > statement.getStart()) continue;
    const earlier = statementOf(access.node);
    if (!earlier || !(disposeOf(earlier, name) || isResetStatement(earlier, name))) {
      throw new Undecided(use.registration.call, `${tool.name} reads ${name} before setting it`);
    }
    previous.add(earlier);
  }
  for (const earlier of previous) edits.removeStatement(earlier);
  const value = (assignment.node.getParentOrThrow() as Node & { getRight(): Node }).getRight();
  const readLater = use.accesses.some((a) => a !== assignment && a.node.getStart() > statement.getEnd());
  const simple = Node.isIdentifier(value) || Node.isPropertyAccessExpression(value) || Node.isLiteralExpression(value);
  const indent = indentOf(statement);
  const mint = `const ${names.idParam} = ${call.mint(names, readLater || !simple ? name : value.getText(), context)};`;
  edits.replaceNode(statement, readLater || !simple ? `const ${name} = ${value.getText()};\n${indent}${mint}` : mint);
  for (const result of returnsOf(handler)) {
    if (result.getStart() < statement.getEnd()) continue;
    const expression = (result as Node & { getExpression(): Node | undefined }).getExpression();
    if (!expression || !addHandleToResult(edits, expression, style, names, formOf(tool))) {
      throw new Undecided(use.registration.call, `${tool.name} returns a result that is not an object literal`);
    }
  }
  plan.edits.use(file, ['handles', 'principalOf', 'describeLifetime'], true);
}

/**
 * A tool that used the value: it takes the handle, resolves it first, writes changes back, and destroys the
 * handle where it used to reset the value. Returns the dispose hook its cleanup amounted to, if any.
 */
export function rewriteUser(
  use: ToolUse,
  name: string,
  names: KindNames,
  writeBack: Statement | undefined,
  serializable: boolean,
  plan: PlanContext,
): string | undefined {
  const { tool } = use;
  const handler = tool.handler!;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const ids = addIdParam(edits, tool, { idParam: names.idParam, schema: idSchema(names), sdk: use.registration.sdk });
  if (typeof ids === 'string') throw new Undecided(use.registration.call, ids);
  ensureAsync(edits, handler);

  const removed = new Set<Node>();
  let dispose: string | undefined;
  let destroyed = false;
  const destroy = `${call.destroy(names, ids.id, ids.context)};`;
  const ordered = [...use.accesses].sort((a, b) => a.node.getStart() - b.node.getStart());
  for (const access of ordered) {
    const statement = statementOf(access.node);
    if (!statement || removed.has(statement)) continue;
    const released = disposeOf(statement, name);
    if (released || isResetStatement(statement, name)) {
      dispose ??= released;
      removed.add(statement);
      if (!destroyed) edits.replaceNode(statement, destroy);
      else edits.removeStatement(statement);
      destroyed = true;
    } else if (isDeadGuard(statement, name)) {
      removed.add(statement);
      edits.removeStatement(statement);
    }
  }
  const remaining = ordered.filter((a) => !removed.has(statementOf(a.node)!));
  // Only replaced (`notes = []`): each replacement is an update, with nothing to resolve first.
  if (remaining.length > 0 && remaining.every((a) => a.op === 'assign' && isAssignmentStatement(statementOf(a.node)!, a.node))) {
    for (const access of remaining) {
      const value = (access.node.getParentOrThrow() as Node & { getRight(): Node }).getRight().getText();
      edits.replaceNode(statementOf(access.node)!, `${call.update(names, ids.id, ids.context, value)};`);
    }
    plan.edits.use(file, ['handles', 'principalOf', 'describeHandleParam'], true);
    return dispose;
  }
  const assigned = remaining.some((a) => a.op === 'assign');
  if (remaining.length > 0) {
    const keyword = assigned ? 'let' : 'const';
    prependToBody(edits, handler, [`${keyword} ${name} = ${call.resolve(names, ids.id, ids.context)};`]);
  }
  const changes = remaining.some((a) => a.mode === 'write');
  if (changes && (serializable || assigned)) {
    const point = writeBack;
    if (!point) throw new Undecided(use.registration.call, `${tool.name} changes ${name} where the change cannot be written back`);
    edits.insert(point.getEnd(), `\n${indentOf(point)}${call.update(names, ids.id, ids.context, name)};`);
  }
  plan.edits.use(file, ['handles', 'principalOf', 'describeHandleParam'], true);
  return dispose;
}
