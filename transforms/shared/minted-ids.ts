import { Node, SyntaxKind, type CallExpression, type Expression, type Project, type SourceFile, type Identifier, type ParameterDeclaration, type VariableDeclaration } from 'ts-morph';
import { unwrap } from '../../src/analysis/syntax.js';
import { SESSION_HEADER } from '../../src/analysis/vocabulary.js';
import { declarationOf } from './declarations.js';

/** Calls that answer a fresh random id (`randomUUID()`, `nanoid()`, `ulid()`, `crypto.randomBytes(16)`). */
const FRESH_ID_CALL = /random|^uuid|^v4$|nanoid|ulid|cuid|^createId$/i;

/** Calls that only reshape the id they are called on (`randomBytes(16).toString('hex')`). */
const RESHAPING_CALL = new Set(['toString', 'slice', 'substring', 'replace', 'replaceAll', 'toLowerCase', 'toUpperCase']);

/** Where the application's session ids come from: as a marker names it, and the call that opens a session when one does. */
export interface AppSessionIdOrigin {
  text: string;
  /** The application's own call that opens a session and answers its id (`registry.openSession()`). */
  opening?: CallExpression;
}

/**
 * Where the session ids of a server come from, when not from fresh randomness: `sessionIdGenerator: () => sessionId`
 * with `sessionId` handed in by code that opened the application's own session (`sessionManager.createSession()`)
 * or read from the request. What the tools keep under such an id is kept by the application's session registry,
 * which knows only the ids it minted: a handle's id cannot stand in for it. Undefined when every generator answers
 * a fresh random id (the SDK's own sessions, nothing of the application's behind them).
 */
export function appSessionIdOrigin(generators: ReadonlyArray<Node | undefined>): AppSessionIdOrigin | undefined {
  for (const generator of generators) {
    const value = generator && Node.isPropertyAssignment(generator) ? generator.getInitializer() : undefined;
    if (!value || !(Node.isArrowFunction(value) || Node.isFunctionExpression(value))) continue;
    const sources = returnedBy(value).flatMap((answer) => sourcesOf(answer, 0));
    if (sources.length === 0) continue;
    // The application's own call (`sessionManager.createSession()`) says most; else whatever it is handed.
    const calls = sources.filter((source): source is CallExpression => typeof source !== 'string' && Node.isCallExpression(source));
    const named = calls[0] ?? sources[0]!;
    const opening = calls.length > 0 && calls.every((call) => call.getText() === calls[0]!.getText()) && sources.length === calls.length ? calls[0] : undefined;
    return { text: typeof named === 'string' ? named : `\`${named.getText()}\``, ...(opening ? { opening } : {}) };
  }
  return undefined;
}

/** The member of a session record that holds the application's session id (`{ sessionId: registry.openSession() }`). */
export const APP_SESSION_FIELD = 'sessionId';

/** A session record's initial members when its creator opens the application's session with `call`. */
export function openingRecord(call: string): string {
  return `${APP_SESSION_FIELD}: ${call}`;
}

/**
 * The application's opening call as code of `home` can make it: no arguments, and the object it is called on (or
 * the function itself) declared at the top of `home` or imported there. Undefined when it cannot be.
 */
export function openingIn(origin: AppSessionIdOrigin, home: SourceFile): string | undefined {
  const call = origin.opening;
  if (!call || call.getArguments().length > 0) return undefined;
  let root: Node = unwrap(call.getExpression());
  while (Node.isPropertyAccessExpression(root)) root = unwrap(root.getExpression());
  if (!Node.isIdentifier(root)) return undefined;
  const declaration = declarationOf(root);
  if (!declaration || declaration.getSourceFile() !== home) return undefined;
  const topLevel = Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || Node.isNamespaceImport(declaration) || declaration.getParent()?.getParent()?.getParent() === home || declaration.getParent() === home;
  return topLevel ? call.getText() : undefined;
}

/** Whether a session scope of the project opens the application's sessions with this call (its creator now does). */
export function scopeOpensSessions(project: Project, origin: AppSessionIdOrigin): boolean {
  const call = origin.opening?.getText();
  return call !== undefined && project.getSourceFiles().some((file) => file.getFullText().includes('defineScope(') && file.getFullText().includes(openingRecord(call)));
}

/** What a function answers: its expression body, or the values of its return statements. */
function returnedBy(fn: Node): Expression[] {
  if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isFunctionDeclaration(fn))) return [];
  const body = fn.getBody();
  if (body && !Node.isBlock(body)) return Node.isExpression(body) ? [body] : [];
  return (body?.getDescendantsOfKind(SyntaxKind.ReturnStatement) ?? [])
    .filter((statement) => statement.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) === fn)
    .flatMap((statement) => statement.getExpression() ?? []);
}

/** The code the ids an expression answers come from, where that is not a fresh random id (none: all fresh). */
function sourcesOf(expression: Expression, depth: number): Array<Node | string> {
  const node = unwrap(expression);
  const itself = [node];
  if (depth > 4) return itself;
  // The client's echo of an id minted before (`req.headers.get('mcp-session-id')`): the SDK's, not the application's.
  if (readsSessionHeader(node)) return [];
  if (Node.isCallExpression(node)) {
    const callee = unwrap(node.getExpression());
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
    if (FRESH_ID_CALL.test(name)) return [];
    if (Node.isPropertyAccessExpression(callee) && RESHAPING_CALL.has(name)) return sourcesOf(callee.getExpression(), depth + 1);
    // A function of the project's (`newSessionId()`): what it answers.
    const fn = Node.isIdentifier(callee) ? declarationOf(callee) : undefined;
    const value = fn && Node.isVariableDeclaration(fn) ? fn.getInitializer() : fn;
    const answers = value ? returnedBy(value) : [];
    return answers.length > 0 ? answers.flatMap((answer) => sourcesOf(answer, depth + 1)) : itself;
  }
  if (Node.isTemplateExpression(node)) {
    const spans = node.getTemplateSpans().map((span) => sourcesOf(span.getExpression(), depth + 1));
    return spans.some((s) => s.length === 0) ? [] : spans.flat();
  }
  if (Node.isBinaryExpression(node) && ['??', '||'].includes(node.getOperatorToken().getText())) {
    return [...sourcesOf(node.getLeft(), depth + 1), ...sourcesOf(node.getRight(), depth + 1)];
  }
  if (!Node.isIdentifier(node)) return itself;
  const declaration = declarationOf(node);
  if (declaration && Node.isVariableDeclaration(declaration)) {
    // A `let` answers whatever was last put in it: its initializer and every assignment.
    const values = [declaration.getInitializer(), ...assignedTo(declaration)].filter((v): v is Expression => v !== undefined);
    return values.length === 0 ? itself : values.flatMap((value) => sourcesOf(value, depth + 1));
  }
  if (declaration && Node.isParameterDeclaration(declaration)) return callersSources(declaration, depth);
  return itself;
}

/** The values assigned to a variable after its declaration (`sessionId = sessionManager.createSession()`). */
function assignedTo(declaration: VariableDeclaration): Expression[] {
  if (!Node.isIdentifier(declaration.getNameNode())) return [];
  return declaration
    .getSourceFile()
    .getDescendantsOfKind(SyntaxKind.BinaryExpression)
    .filter((binary) => binary.getOperatorToken().getKind() === SyntaxKind.EqualsToken && Node.isIdentifier(binary.getLeft()) && declarationOf(binary.getLeft() as Identifier) === declaration)
    .map((binary) => binary.getRight());
}

/** What the callers of a function hand it for one of its parameters (in its own module). */
function callersSources(parameter: ParameterDeclaration, depth: number): Array<Node | string> {
  const unknown = [`the caller's \`${parameter.getName()}\``];
  const fn = parameter.getParent();
  const holder = Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) ? fn.getParent() : fn;
  const name = holder && (Node.isFunctionDeclaration(holder) || Node.isVariableDeclaration(holder)) ? holder.getName() : undefined;
  const index = Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) ? fn.getParameters().findIndex((p) => p === parameter) : -1;
  if (!name || index < 0) return unknown;
  const calls = parameter
    .getSourceFile()
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .filter((call) => unwrap(call.getExpression()).getText() === name);
  if (calls.length === 0) return unknown;
  return calls.flatMap((call) => {
    const argument = call.getArguments()[index];
    return argument && Node.isExpression(argument) ? sourcesOf(argument, depth + 1) : unknown;
  });
}

/** `req.headers['mcp-session-id']`, `c.req.header('mcp-session-id')`, `request.headers.get('Mcp-Session-Id')`. */
function readsSessionHeader(node: Node): boolean {
  const key = Node.isElementAccessExpression(node) ? node.getArgumentExpression() : Node.isCallExpression(node) ? node.getArguments()[0] : undefined;
  return key !== undefined && Node.isStringLiteral(key) && key.getLiteralText().toLowerCase() === SESSION_HEADER;
}
