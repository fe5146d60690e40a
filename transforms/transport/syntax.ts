import { Node, SyntaxKind, ts, type ClassDeclaration, type ClassExpression, type Identifier, type MethodDeclaration, type PropertyAccessExpression, type PropertyDeclaration, type SourceFile } from 'ts-morph';
import { declarationOf } from '../shared/declarations.js';
import { fileIndex, identifierText, nodesOfKind } from '../shared/file-index.js';

/**
 * Small AST questions the transport transforms ask everywhere: is this identifier a use of a binding,
 * which declaration does it resolve to (lexically, without a type checker), what does a statement declare.
 */

export type FunctionLike = Node & { getParameters(): Node[]; getBody(): Node | undefined };

export function isFunctionLike(node: Node): node is FunctionLike {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isConstructorDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node)
  );
}

/** The function a node sits in (not counting the node itself). */
export function enclosingFunction(node: Node): FunctionLike | undefined {
  return node.getFirstAncestor((a) => isFunctionLike(a)) as FunctionLike | undefined;
}

/** `declarationOf`, kept for the callers that hold one per analysis; results are cached per file text. */
export class Resolver {
  of(id: Identifier): Node | undefined {
    return declarationOf(id);
  }
}

/** The statement directly inside a block, case clause or source file that holds `node`. */
export function statementOf(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.getParent();
    if (!parent || Node.isSourceFile(parent) || Node.isBlock(parent) || Node.isModuleBlock(parent) || Node.isCaseClause(parent) || Node.isDefaultClause(parent)) {
      return current;
    }
    current = parent;
  }
}

/** The statement directly in its file that holds `node` (the node itself, its `const`, its class). */
export function topLevelStatement(node: Node): Node {
  const file = node.getSourceFile();
  return node.getParent() === file ? node : (node.getFirstAncestor((a) => a.getParent() === file) ?? node);
}

/** A string literal's value (plain quotes or a template without substitutions). */
export function stringValue(node: Node | undefined): string | undefined {
  if (node && (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))) return node.getLiteralValue();
  return undefined;
}

export { within } from '../shared/place.js';

/** Every identifier text used anywhere in a file, to pick names that cannot collide. */
export function freshName(file: SourceFile, preferred: readonly string[], taken: ReadonlySet<string> = new Set()): string {
  const source = file.compilerNode;
  const used = new Set(fileIndex(file).identifiers.map((id) => identifierText(source, id)));
  for (const name of preferred) if (!used.has(name) && !taken.has(name)) return name;
  const base = preferred[0] ?? 'value';
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`) && !taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** Calls that only compute a value. */
// Id minting is pure too: a session id minted ahead of the transport goes when its transport goes.
const PURE_CALLS = ['Date.now', 'Number', 'String', 'Boolean', 'Symbol', 'randomUUID', 'crypto.randomUUID', 'Array.isArray'];

/** Whether evaluating an expression can have no effect beyond producing its value (so dropping it is safe). */
export function isPure(node: Node | undefined): boolean {
  return node === undefined || isPureNode(node.getSourceFile().compilerNode, node.compilerNode);
}

const PURE_KINDS = new Set([
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ClassExpression,
]);

/** `isPure` on compiler nodes. */
export function isPureNode(source: ts.SourceFile, node: ts.Node | undefined): boolean {
  if (!node) return true;
  const pure = (child: ts.Node | undefined) => isPureNode(source, child);
  if (PURE_KINDS.has(node.kind)) return true;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) return pure(node.expression);
  if (ts.isPropertyAccessExpression(node)) return pure(node.expression);
  if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => pure(span.expression));
  if (ts.isArrayLiteralExpression(node)) return node.elements.every(pure);
  if (ts.isObjectLiteralExpression(node)) return node.properties.every((p) => (ts.isPropertyAssignment(p) ? pure(p.initializer) : ts.isShorthandPropertyAssignment(p)));
  if (ts.isNewExpression(node)) return (node.arguments ?? []).every(pure);
  if (ts.isCallExpression(node)) {
    const callee = node.expression.getText(source);
    return (PURE_CALLS.includes(callee) || callee.startsWith('Math.')) && node.arguments.every(pure);
  }
  if (ts.isPrefixUnaryExpression(node)) return pure(node.operand);
  if (ts.isConditionalExpression(node)) return pure(node.condition) && pure(node.whenTrue) && pure(node.whenFalse);
  if (ts.isBinaryExpression(node)) {
    const kind = node.operatorToken.kind;
    return !(kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment) && pure(node.left) && pure(node.right);
  }
  return false;
}

/**
 * Where a marker for `node` goes: the start of the innermost statement around it that begins its own
 * line, so the marker comment never lands after code on the same line (where a later run would not
 * recognise it as the statement's marker).
 */
export function markerPosition(node: Node): number {
  const text = node.getSourceFile().getFullText();
  let current: Node = statementOf(node);
  for (;;) {
    const start = current.getStart();
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const parent = current.getParent();
    if (/^[ \t]*$/.test(text.slice(lineStart, start)) || !parent || Node.isSourceFile(parent)) return start;
    current = statementOf(parent);
  }
}

/**
 * The class whose object `this` is where `node` runs (arrow functions keep the class's `this`; any other function has
 * its own, so there is none).
 */
function thisClass(node: Node): ClassDeclaration | ClassExpression | undefined {
  for (let current = node.getParent(); current; current = current.getParent()) {
    if (Node.isClassDeclaration(current) || Node.isClassExpression(current)) return current;
    if (Node.isFunctionDeclaration(current) || Node.isFunctionExpression(current)) return undefined;
  }
  return undefined;
}

/** The field a `this.name` access reads, declared in its class: `this.transports` → `private transports = {}`. */
export function thisField(node: Node): PropertyDeclaration | undefined {
  if (!Node.isPropertyAccessExpression(node) || node.getExpression().getKind() !== SyntaxKind.ThisKeyword) return undefined;
  const member = thisClass(node)?.getProperty(node.getName());
  return member && Node.isPropertyDeclaration(member) ? member : undefined;
}

/** The method a `this.name` access names, declared in its class: `this.handleMcp` → `private async handleMcp(req, res) { … }`. */
export function thisMethod(node: Node): MethodDeclaration | undefined {
  if (!Node.isPropertyAccessExpression(node) || node.getExpression().getKind() !== SyntaxKind.ThisKeyword) return undefined;
  // Overloads: the one with a body.
  return thisClass(node)
    ?.getInstanceMethods()
    .find((m) => m.getName() === node.getName() && m.getBody() !== undefined);
}

/** `this.name` accesses inside a node (the node itself included). */
export function thisAccessesIn(node: Node): PropertyAccessExpression[] {
  return [node, ...nodesOfKind(node, SyntaxKind.PropertyAccessExpression)].filter(
    (access): access is PropertyAccessExpression => Node.isPropertyAccessExpression(access) && access.getExpression().getKind() === SyntaxKind.ThisKeyword,
  );
}

/**
 * A statement's text (or a rewrite of it) as if written from column 0: continuation lines lose the indentation the
 * statement's first line had, so the text can be placed at any depth.
 */
export function fromColumnZero(statement: Node, text = statement.getText()): string {
  const column = statement.getStart() - statement.getStartLinePos();
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.slice(Math.min(column, line.length - line.trimStart().length))))
    .join('\n');
}
