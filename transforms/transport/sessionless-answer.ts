import { Node, SyntaxKind, type IfStatement } from 'ts-morph';
import type { Plumbing } from './plumbing.js';
import type { Registration } from './routes.js';
import { referencesIn } from '../shared/declarations.js';

/**
 * What a session route (GET or DELETE on the endpoint) answered a request that carried no session id, when that
 * is an answer of the application's own: `if (!sessionId) { return c.json({ status: 'ok', … }) }` ahead of the
 * session stream. Requests carry no session id any more, so that branch is what every request takes now: the
 * route keeps it and loses the rest, rather than answering 405. An answer about the missing session (`Mcp-Session-Id
 * header required`) is a session error, which the 405 replaces.
 */
export interface SessionlessAnswer {
  /** The `if (!sessionId)` guard whose block becomes the handler's body. */
  guard: IfStatement;
  /** The block's statements, kept as written. */
  kept: Node[];
  /** The handler's other statements that touch the session routing (the session id, the stream). */
  removed: Node[];
}

/** Strings of an answer that speak of sessions: an error about the missing session, not an answer of its own. */
const MENTIONS_SESSION = /session/i;

export function sessionlessAnswer(registration: Registration, plumbing: Plumbing): SessionlessAnswer | undefined {
  const body = registration.handler.getBody();
  if (!body || !Node.isBlock(body)) return undefined;
  const statements = body.getStatements();
  const index = statements.findIndex((statement) => Node.isIfStatement(statement) && testsNoSession(statement, plumbing));
  const guard = statements[index];
  if (!guard || !Node.isIfStatement(guard) || guard.getElseStatement()) return undefined;
  const block = guard.getThenStatement();
  if (!Node.isBlock(block)) return undefined;
  const kept = block.getStatements();
  const last = kept[kept.length - 1];
  if (!last || !Node.isReturnStatement(last) || kept.some((statement) => plumbing.touches(statement))) return undefined;
  const strings = block.getDescendants().filter((n) => Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n));
  if (strings.some((literal) => MENTIONS_SESSION.test(literal.getText()))) return undefined;
  // Before the guard only the session id's own declaration; anything else the route did first would be lost.
  const before = statements.slice(0, index);
  if (before.some((statement) => !plumbing.touches(statement) || !Node.isVariableStatement(statement))) return undefined;
  return { guard, kept, removed: [...before, ...statements.slice(index + 1)] };
}

/** `if (!sessionId)` where `sessionId` is the routing's session id. */
function testsNoSession(statement: IfStatement, plumbing: Plumbing): boolean {
  const test = statement.getExpression();
  if (!Node.isPrefixUnaryExpression(test) || test.getOperatorToken() !== SyntaxKind.ExclamationToken) return false;
  const operand = test.getOperand();
  return Node.isIdentifier(operand) && referencesIn(operand).length === 1 && plumbing.touches(operand);
}

/** The kept statements as the guard's replacement: written one level out, where the guard stood. */
export function keptText(answer: SessionlessAnswer, text: string, indent: string, unit: string): string {
  const first = answer.kept[0]!;
  const last = answer.kept[answer.kept.length - 1]!;
  const lines = text.slice(first.getStart(), last.getEnd()).split('\n');
  // The guard's own comment (`// No session: describe the server.`) now describes what is left of it.
  const comments = answer.guard.getLeadingCommentRanges().map((range) => `${indent}${range.getText()}`);
  return [...comments, `${indent}${lines[0]}`, ...lines.slice(1).map((line) => (line.startsWith(indent + unit) ? `${indent}${line.slice(indent.length + unit.length)}` : line))].join('\n');
}
