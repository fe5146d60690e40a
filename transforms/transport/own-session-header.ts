import { Node, SyntaxKind, type CallExpression, type ElementAccessExpression, type SourceFile } from 'ts-morph';
import { unwrap } from '../../src/analysis/syntax.js';
import { SESSION_HEADER } from '../../src/analysis/vocabulary.js';
import { isWrittenHeader, sessionHeaderWrite } from '../../src/analysis/plumbing.js';
import { OWN_SESSION_HEADER_GONE, OWN_SESSION_HEADER_READ } from '../../src/rules/marker-messages.js';
import { declarationOf } from '../shared/declarations.js';
import type { PhaseInput, PhaseOutput } from './phase.js';
import { constructsSessions, findConstructions } from './plumbing.js';
import { applyStatementActions, TextEdits, type MarkerRequest } from './text-edits.js';
import { statementOf } from './syntax.js';

/**
 * An Mcp-Session-Id the application hands out itself, around serving that keeps no sessions (a wrapper that sets
 * `Mcp-Session-Id` on the initialize response to find its own bookkeeping again, `headers.set('Mcp-Session-Id',
 * id)`, and reads it back from later requests): no transport of the project mints or routes by it, so the
 * header goes and everything the wrapper does around it stays.
 * - a write of the header on our response goes (the statement);
 * - a read of it from the incoming request is `undefined`: once the server stops handing the id out, no client
 *   sends one; one marker says what was kept under it is not found again;
 * - a read from the response the stateless serving returned (`response.headers.get(…) ?? fallback`, `if
 *   (response.headers.has(…)) return response`) sees no header: the fallback, and no branch.
 * Any other use of the header declines (the leftover marker speaks for it).
 */
export function planOwnSessionHeader(input: PhaseInput): PhaseOutput | undefined {
  const { file, project } = input;
  if (!file.getFullText().toLowerCase().includes(SESSION_HEADER)) return undefined;
  // A transport of the project that keeps sessions sets the header itself: the reads and writes may be its.
  if (project.getSourceFiles().some((source) => findConstructions(source, ['node', 'web', 'sse']).some((c) => constructsSessions(c) !== false))) return undefined;
  const uses = headerUses(file);
  if (uses.length === 0 || uses.some((use) => use.kind === 'other')) return undefined;
  const removals = uses.filter((use) => use.kind === 'write' || use.kind === 'response-has');
  const insideRemoved = (node: Node) => removals.some(({ statement }) => statement !== node && node.getStart() >= statement.getStart() && node.getEnd() <= statement.getEnd());
  const edits = new TextEdits(file.getFullText());
  const gone = removals.map((use) => use.statement).filter((statement) => !insideRemoved(statement));
  applyStatementActions(edits, new Map(gone.map((node) => [node.compilerNode, { node, action: { kind: 'remove' } as const }])));
  for (const use of uses) {
    if (insideRemoved(use.node)) continue;
    if (use.kind === 'request-read') edits.replaceNode(use.target, 'undefined');
    else if (use.kind === 'response-read') edits.replaceNode(use.target, use.fallback.getText());
  }
  const markers: MarkerRequest[] = [];
  const firstRead = uses.find((use) => use.kind === 'request-read' && !insideRemoved(use.node));
  if (firstRead) markers.push({ pos: firstRead.statement.getStart(), rule: 'SL001', message: OWN_SESSION_HEADER_READ });
  else markers.push({ pos: uses[0]!.statement.getStart(), rule: 'SL001', level: 'info', message: OWN_SESSION_HEADER_GONE });
  return { edits, markers, candidates: new Set(), imports: [] };
}

/** Whether the file sets the session header on a response of its own (`res.setHeader('Mcp-Session-Id', id)`). */
export function setsOwnSessionHeader(file: SourceFile): boolean {
  if (!file.getFullText().toLowerCase().includes(SESSION_HEADER)) return false;
  return file.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => sessionHeaderWrite(call) === 'session-header-write');
}

type HeaderUse =
  | { kind: 'write' | 'response-has'; node: Node; statement: Node }
  | { kind: 'request-read'; node: Node; statement: Node; target: Node }
  | { kind: 'response-read'; node: Node; statement: Node; target: Node; fallback: Node }
  | { kind: 'other'; node: Node; statement: Node };

/** Every place the file names the session header, as what it does. */
function headerUses(file: SourceFile): HeaderUse[] {
  const uses: HeaderUse[] = [];
  for (const literal of [...file.getDescendantsOfKind(SyntaxKind.StringLiteral), ...file.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)]) {
    if (literal.getLiteralText().toLowerCase() !== SESSION_HEADER) continue;
    const parent = literal.getParent();
    if (Node.isCallExpression(parent) && parent.getArguments()[0] === literal) uses.push(callUse(parent));
    else if (Node.isElementAccessExpression(parent) && parent.getArgumentExpression() === literal) uses.push(readUse(parent, ownerOfElement(parent)));
    // CORS settings (`exposeHeaders: ['mcp-session-id']`, `'Access-Control-Expose-Headers': 'Mcp-Session-Id'`) name
    // the header without using it.
    else if (!Node.isArrayLiteralExpression(parent) && !namesCorsHeader(parent)) uses.push({ kind: 'other', node: literal, statement: statementOf(literal) });
  }
  return uses;
}

function namesCorsHeader(node: Node | undefined): boolean {
  return Node.isPropertyAssignment(node) && /^access-control-/i.test(node.getName().replace(/^['"]|['"]$/g, ''));
}

function callUse(call: CallExpression): HeaderUse {
  const callee = call.getExpression();
  const statement = statementOf(call);
  if (!Node.isPropertyAccessExpression(callee)) return { kind: 'other', node: call, statement };
  const args = call.getArguments();
  if (args.length >= 2) {
    const whole = call.getParent();
    return sessionHeaderWrite(call) === 'session-header-write' && Node.isExpressionStatement(whole) ? { kind: 'write', node: call, statement: whole } : { kind: 'other', node: call, statement };
  }
  const method = callee.getName();
  if (!['get', 'has', 'header', 'getHeader'].includes(method)) return { kind: 'other', node: call, statement };
  const receiver = unwrap(callee.getExpression());
  // `x.headers.get(…)` belongs to x; `c.req.header(…)`, `req.get(…)` to the request itself.
  const owner = Node.isPropertyAccessExpression(receiver) && receiver.getName() === 'headers' ? receiver.getExpression() : receiver;
  if (method === 'has') {
    const branch = call.getParent();
    const answers = Node.isIfStatement(branch) && branch.getExpression() === call && !branch.getElseStatement();
    return answers && ownerKind(owner) === 'response' ? { kind: 'response-has', node: call, statement: branch } : { kind: 'other', node: call, statement };
  }
  return readUse(call, owner);
}

function readUse(read: Node, owner: Node | undefined): HeaderUse {
  const statement = statementOf(read);
  const kind = owner && ownerKind(owner);
  const parent = read.getParent();
  // `req.headers['mcp-session-id'] = id` sets it on the request (for code downstream): not a read.
  if (isWrittenHeader(read)) return { kind: 'other', node: read, statement };
  const defaulted = Node.isBinaryExpression(parent) && parent.getLeft() === read && [SyntaxKind.BarBarToken, SyntaxKind.QuestionQuestionToken].includes(parent.getOperatorToken().getKind()) ? parent : undefined;
  if (kind === 'request') {
    // `request.headers.get(…) || undefined` is `undefined` as a whole.
    const target = defaulted && defaulted.getRight().getText() === 'undefined' ? defaulted : read;
    return { kind: 'request-read', node: read, statement, target };
  }
  if (kind === 'response' && defaulted) return { kind: 'response-read', node: read, statement, target: defaulted, fallback: defaulted.getRight() };
  return { kind: 'other', node: read, statement };
}

function ownerOfElement(access: ElementAccessExpression): Node | undefined {
  const headers = unwrap(access.getExpression());
  return Node.isPropertyAccessExpression(headers) && headers.getName() === 'headers' ? headers.getExpression() : undefined;
}

/**
 * Whose headers: the request a handler was handed (its parameter, or a framework context's `c.req`), or a
 * response a call returned to it (`const response = await handler(request)`).
 */
function ownerKind(owner: Node): 'request' | 'response' | undefined {
  const node = unwrap(owner);
  if (Node.isPropertyAccessExpression(node) && node.getName() === 'req') return 'request';
  if (!Node.isIdentifier(node)) return undefined;
  const declaration = declarationOf(node);
  if (declaration && Node.isParameterDeclaration(declaration)) return 'request';
  if (declaration && Node.isVariableDeclaration(declaration)) {
    const value = declaration.getInitializer();
    const fromCall = value !== undefined && (Node.isCallExpression(unwrap(value)) || Node.isAwaitExpression(unwrap(value)));
    return fromCall && /res(?:ponse)?$/i.test(declaration.getName()) ? 'response' : undefined;
  }
  return undefined;
}

