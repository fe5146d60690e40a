/**
 * Helpers that do more with the caller's entry than fetch it (`draftsOf(sessionId)` that also logs, a
 * `cartTotal(sessionId)`): the tool resolves the handle and passes the entry in as a parameter. Inside the
 * helper each lookup of the entry becomes that parameter, the code that created a missing entry goes (the
 * creator tool mints it now), and the key parameter gives way to the entry when nothing else used it.
 */
import { Node, SyntaxKind, type Expression, type ParameterDeclaration, type Statement } from 'ts-morph';
import type { StateAccess } from '../../src/analysis/index.js';
import { unwrap } from '../../src/analysis/syntax.js';
import type { TextEdits } from './edits.js';
import { isChainMutated, localMutations, operationOf } from './keyed-operations.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/** What threading the entry through a helper changes in it. */
export interface ThreadedBody {
  /** Lookups of the entry (with `?? init` / `!` around them): each becomes the new parameter. */
  reads: Node[];
  /** Statements that only created a missing entry, and key locals nothing else needs. */
  removals: Statement[];
  /** The value a missing entry started from. */
  initial: Expression | undefined;
  /** Whether the helper changes the entry in place: the tool writes it back after the call. */
  changes: boolean;
  /** An async helper: its changes are done only once the call is awaited. */
  async: boolean;
  /** The key parameter, when the entry lookups were its only use: the entry takes its place. */
  keyParam: ParameterDeclaration | undefined;
  /** Its position, to find the matching argument at each call. */
  keyIndex: number | undefined;
}

type HelperFunction = Node & { getParameters(): ParameterDeclaration[] };

/** Read a helper's uses of the container as lookups and first-use creation, or say what else it does. */
export function readThreaded(container: string, fn: HelperFunction, accesses: readonly StateAccess[], anchor: Node): ThreadedBody | string {
  const reads: Node[] = [];
  const removals = new Set<Statement>();
  const keys: Node[] = [];
  let initial: Expression | undefined;
  let fallback: Expression | undefined;
  let changes = false;
  const operations = accesses.map((access) => operationOf(access, anchor));
  for (const operation of operations) {
    if (operation.access.key) keys.push(operation.access.key);
    switch (operation.op) {
      case 'get': {
        reads.push(operation.replace);
        fallback ??= operation.fallback;
        if (isChainMutated(operation.replace)) changes = true;
        const holder = operation.replace.getParent();
        if (holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode()) && localMutations(fn as never, holder.getName(), holder).length > 0) changes = true;
        break;
      }
      case 'has':
      case 'set': {
        const guard = creationGuard(operation.op === 'has' ? operation.node : operation.statement, container);
        if (!guard) return operation.op === 'has' ? `checks whether the caller has a ${container} entry` : `stores a new ${container} entry`;
        removals.add(guard.statement);
        initial ??= guard.initial;
        break;
      }
      case 'delete':
        return `removes the caller's ${container} entry`;
    }
  }
  // `const key = sessionId ?? 'default'` goes when only the removed lookups read it.
  const gone = (node: Node) => [...reads, ...removals].some((r) => r === node || node.getAncestors().includes(r as never));
  for (const declaration of nodesOfKind(fn, SyntaxKind.VariableDeclaration)) {
    const statement = declaration.getVariableStatement();
    if (!statement || statement.getDeclarations().length !== 1 || !keys.some((k) => k.getText() === declaration.getName())) continue;
    if (referencesOf(fn, declaration.getName(), declaration).every(gone)) removals.add(statement);
  }
  const keyIndex = fn.getParameters().findIndex((p) => keys.some((k) => [k, ...identifiersOf(k)].some((id) => id.getText() === p.getName())));
  const keyParam = keyIndex === -1 ? undefined : fn.getParameters()[keyIndex];
  const replaceable = keyParam && Node.isIdentifier(keyParam.getNameNode()) && !keyParam.hasQuestionToken() && !keyParam.getInitializer() && referencesOf(fn, keyParam.getName(), keyParam).every(gone);
  const async = Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) ? fn.isAsync() : true;
  return { reads, removals: [...removals], initial: initial ?? fallback, changes, async, keyParam: replaceable ? keyParam : undefined, keyIndex: keyIndex === -1 ? undefined : keyIndex };
}

/** `if (!m.has(k)) m.set(k, init)` or `if (!entry) { entry = init; m.set(k, entry); }` around a node. */
function creationGuard(node: Node, container: string): { statement: Statement; initial: Expression } | undefined {
  const guard = node.getFirstAncestorByKind(SyntaxKind.IfStatement);
  if (!guard || guard.getElseStatement()) return undefined;
  const condition = unwrap(guard.getExpression());
  if (!Node.isPrefixUnaryExpression(condition) || condition.getOperatorToken() !== SyntaxKind.ExclamationToken) return undefined;
  const tested = unwrap(condition.getOperand());
  const then = guard.getThenStatement();
  const inner = Node.isBlock(then) ? then.getStatements() : [then];
  const set = inner.at(-1);
  const setCall = set && Node.isExpressionStatement(set) ? unwrap(set.getExpression()) : undefined;
  if (!setCall || !Node.isCallExpression(setCall) || setCall.getExpression().getText() !== `${container}.set`) return undefined;
  const stored = setCall.getArguments()[1] as Expression | undefined;
  if (!stored) return undefined;
  if (Node.isCallExpression(tested) && tested.getExpression().getText() === `${container}.has` && inner.length === 1) return { statement: guard, initial: stored };
  if (Node.isIdentifier(tested) && inner.length === 2 && unwrap(stored).getText() === tested.getText()) {
    const assignment = inner[0]!;
    const expression = Node.isExpressionStatement(assignment) ? unwrap(assignment.getExpression()) : undefined;
    if (expression && Node.isBinaryExpression(expression) && expression.getOperatorToken().getText() === '=' && expression.getLeft().getText() === tested.getText()) {
      return { statement: guard, initial: expression.getRight() };
    }
  }
  return undefined;
}

function referencesOf(scope: Node, name: string, declaration: Node): Node[] {
  return identifiersOf(scope).filter((id) => {
    if (id.getText() !== name || id.getParent() === declaration) return false;
    const parent = id.getParent();
    return !(parent && (Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent)) && parent.getNameNode() === id);
  });
}

/** Rewrite the helper: lookups read the new parameter, creation code goes, the parameter joins the list. */
export function threadEntry(edits: TextEdits, fn: HelperFunction, body: ThreadedBody, parameter: string, type: string | undefined): void {
  for (const read of body.reads) if (!body.removals.some((r) => read.getAncestors().includes(r as never))) edits.replaceNode(read, parameter);
  for (const removal of body.removals) edits.removeStatement(removal);
  const declared = `${parameter}${type ? `: ${type}` : ''}`;
  if (body.keyParam) {
    edits.replaceNode(body.keyParam, declared);
    return;
  }
  const parameters = fn.getParameters();
  const last = parameters.at(-1);
  if (last) edits.insert(last.getEnd(), `, ${declared}`);
  else edits.insert(fn.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken).getEnd(), declared);
}

/** Where a call passes the entry: in place of its key argument, or after its last argument. */
export function passEntry(edits: TextEdits, call: Node & { getArguments(): Node[] }, body: ThreadedBody, entry: string): Node | undefined {
  const args = call.getArguments();
  if (body.keyParam && body.keyIndex !== undefined && args[body.keyIndex]) {
    edits.replaceNode(args[body.keyIndex]!, entry);
    return args[body.keyIndex];
  }
  const last = args.at(-1);
  if (last) edits.insert(last.getEnd(), `, ${entry}`);
  else edits.insert(call.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken).getEnd(), entry);
  return undefined;
}
