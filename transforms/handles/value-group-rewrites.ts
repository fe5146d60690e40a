/**
 * The tool-side rewrites of values that migrate together as one record (`{ client, connectedTo }`): the creator
 * keeps each value in a local and mints one handle to the record once the last is set; every other tool
 * resolves the record and takes the parts it uses; the tool that released one part destroys the whole record.
 */
import { Node, type Statement } from 'ts-morph';
import type { StateAccess } from '../../src/analysis/index.js';
import { unwrap } from '../../src/analysis/syntax.js';
import { prependToBody } from './body.js';
import { addHandleToResult, makeCreator } from './creator.js';
import { disposeOf, isResetStatement } from './effects.js';
import { call, idSchema, toolList } from './generate.js';
import { indentOf } from './layout.js';
import type { KindNames } from './naming.js';
import { addIdParam, ensureAsync, ensureContext } from './params.js';
import { isAssignmentStatement, isDataExpression, isDeadGuard, returnsOf, statementOf, styleOf, Undecided, type PlanContext } from './site.js';
import type { ToolUse } from './value-rewrites.js';
import { formOf } from './registration.js';

/** The part of the record an access is to: the variable it names. */
export function partOf(access: StateAccess): string {
  return access.node.getText();
}

/** `{ client, connectedTo }`: the record as a value, and as a destructuring pattern. */
export function recordOf(parts: readonly string[]): string {
  return `{ ${parts.join(', ')} }`;
}

/** The value of `x = value;` (a statement {@link isAssignmentStatement} accepted). */
function assignedValue(statement: Statement): Node {
  const expression = Node.isExpressionStatement(statement) ? unwrap(statement.getExpression()) : undefined;
  if (!expression || !Node.isBinaryExpression(expression)) throw new Error(`not an assignment: ${statement.getText()}`);
  return expression.getRight();
}

/**
 * The creator sets every part once: each becomes a local, and the handle is minted after the last one. Its
 * release of the previous value (`if (client) await client.end()`) becomes the dispose hook it returns.
 */
export function rewriteGroupCreator(
  use: ToolUse,
  parts: readonly string[],
  /** Declared types of the parts (TypeScript), for literals whose own type would be narrower (`[]`). */
  types: ReadonlyMap<string, string>,
  names: KindNames,
  users: readonly string[],
  plan: PlanContext,
): string | undefined {
  const { tool, registration } = use;
  const handler = tool.handler;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const style = styleOf(file, registration.sdk, plan.options);
  const label = toolList(parts);

  const sets = new Map<string, { access: StateAccess; statement: Statement }>();
  for (const part of parts) {
    const found = use.accesses.filter((a) => partOf(a) === part && a.op === 'assign' && !a.reset && !a.lazyInit);
    if (found.length !== 1) throw new Undecided(registration.call, `${tool.name} sets ${part} more than once; ${label} become one record, so set each once`);
    const statement = statementOf(found[0]!.node);
    if (!statement || !isAssignmentStatement(statement, found[0]!.node) || statement.getParent() !== handler.getBody()) {
      throw new Undecided(registration.call, `${tool.name} sets ${part} inside a nested block or expression`);
    }
    sets.set(part, { access: found[0]!, statement });
  }

  // Before its own assignment a part may only be released or reset (the previous caller's value): each call now makes a new record.
  const previous = new Set<Statement>();
  let dispose: string | undefined;
  for (const access of use.accesses) {
    const part = partOf(access);
    const own = sets.get(part)!;
    if (access === own.access || access.node.getStart() >= own.statement.getEnd()) {
      if (access !== own.access && access.op === 'assign') throw new Undecided(registration.call, `${tool.name} sets ${part} more than once; ${label} become one record, so set each once`);
      continue;
    }
    const earlier = statementOf(access.node);
    if (!earlier || earlier === own.statement || !(disposeOf(earlier, part) || isResetStatement(earlier, part))) {
      throw new Undecided(registration.call, `${tool.name} reads ${part} before setting it`);
    }
    previous.add(earlier);
    dispose ??= disposeOf(earlier, part, recordOf([part]));
  }

  const context = ensureContext(edits, tool, registration.sdk);
  if (!context) throw new Undecided(registration.call, `the context parameter of ${tool.name} is destructured`);
  ensureAsync(edits, handler);
  makeCreator(edits, tool, style, names, users);
  for (const earlier of previous) edits.removeStatement(earlier);
  let last: Statement | undefined;
  for (const [part, { statement }] of sets) {
    const value = unwrap(assignedValue(statement));
    const literal = Node.isArrayLiteralExpression(value) || Node.isObjectLiteralExpression(value);
    const type = literal ? types.get(part) : undefined;
    edits.replaceNode(statement, `const ${part}${type ? `: ${type}` : ''} = ${assignedValue(statement).getText()};`);
    if (!last || statement.getStart() > last.getStart()) last = statement;
  }
  edits.insert(last!.getEnd(), `\n${indentOf(last!)}const ${names.idParam} = ${call.mint(names, recordOf(parts), context)};`);
  for (const result of returnsOf(handler)) {
    if (result.getStart() < last!.getEnd()) continue;
    const expression = (result as Node & { getExpression(): Node | undefined }).getExpression();
    if (!expression || !addHandleToResult(edits, expression, style, names, formOf(tool))) {
      throw new Undecided(registration.call, `${tool.name} returns a result that is not an object literal`);
    }
  }
  plan.edits.use(file, ['handles', 'principalOf', 'describeLifetime'], true);
  return dispose;
}

/**
 * A tool that used some parts: it takes the handle and resolves the parts it uses; one that changes a part
 * writes the whole record back; one that released a part destroys the record. Returns the dispose hook.
 */
export function rewriteGroupUser(
  use: ToolUse,
  parts: readonly string[],
  names: KindNames,
  writeBack: Statement | undefined,
  serializable: boolean,
  plan: PlanContext,
): string | undefined {
  const { tool, registration } = use;
  const handler = tool.handler;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const ids = addIdParam(edits, tool, { idParam: names.idParam, schema: idSchema(names), sdk: registration.sdk });
  if (typeof ids === 'string') throw new Undecided(registration.call, ids);
  ensureAsync(edits, handler);

  const removed = new Set<Node>();
  let dispose: string | undefined;
  let destroyed = false;
  const ordered = [...use.accesses].sort((a, b) => a.node.getStart() - b.node.getStart());
  for (const access of ordered) {
    const part = partOf(access);
    const statement = statementOf(access.node);
    if (!statement || removed.has(statement)) continue;
    const released = disposeOf(statement, part, recordOf([part]));
    if (released || isResetStatement(statement, part)) {
      dispose ??= released;
      removed.add(statement);
      if (!destroyed) edits.replaceNode(statement, `${call.destroy(names, ids.id, ids.context)};`);
      else edits.removeStatement(statement);
      destroyed = true;
    } else if (part === parts[0] && isDeadGuard(statement, part)) {
      // Only the first part stands for "connected": the others may be empty on purpose.
      removed.add(statement);
      edits.removeStatement(statement);
    }
  }
  // In a tool that ends the record, setting its other parts to plain data (`connectedTo = ''`) only reset them.
  if (destroyed) {
    for (const access of ordered) {
      const statement = statementOf(access.node)!;
      if (removed.has(statement) || access.op !== 'assign' || !isAssignmentStatement(statement, access.node)) continue;
      if (!isDataExpression(assignedValue(statement), new Set())) continue;
      removed.add(statement);
      edits.removeStatement(statement);
    }
  }

  const remaining = ordered.filter((a) => !removed.has(statementOf(a.node)!));
  if (remaining.length > 0) {
    const assigned = remaining.some((a) => a.op === 'assign');
    const writesBack = remaining.some((a) => a.mode === 'write') && (serializable || assigned);
    // A tool that writes the record back holds every part, so the record it writes is whole.
    const bound = writesBack ? parts : parts.filter((part) => remaining.some((a) => partOf(a) === part));
    prependToBody(edits, handler, [`${assigned ? 'let' : 'const'} ${recordOf(bound)} = ${call.resolve(names, ids.id, ids.context)};`]);
    if (writesBack) {
      if (!writeBack) throw new Undecided(registration.call, `${tool.name} changes ${toolList(parts)} where the change cannot be written back`);
      edits.insert(writeBack.getEnd(), `\n${indentOf(writeBack)}${call.update(names, ids.id, ids.context, recordOf(parts))};`);
    }
  }
  plan.edits.use(file, ['handles', 'principalOf', 'describeHandleParam'], true);
  return dispose;
}
