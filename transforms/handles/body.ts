import { Node, type Statement } from 'ts-morph';
import type { TextEdits } from './edits.js';
import { lineStart } from '../shared/statement-comments.js';
import { indentOf, indentUnit } from './layout.js';
import type { InlineHandler } from './registration.js';

/**
 * Put statements at the top of a handler body. A concise arrow body (`() => ({ … })`) becomes a block
 * that returns the same expression; the conversion only touches the body's edges and line starts, so
 * edits inside the expression still apply.
 */
export function prependToBody(edits: TextEdits, handler: InlineHandler, statements: readonly string[]): void {
  if (statements.length === 0) return;
  const body = handler.getBody();
  // A method without a body (an overload signature) is never a handler.
  if (!body) return;
  const unit = indentUnit(handler.getSourceFile());
  if (Node.isBlock(body)) {
    const first = body.getStatements()[0];
    const text = body.getSourceFile().getFullText();
    if (first && first.getStartLineNumber() > body.getStartLineNumber()) {
      // At the start of the first statement's line (above its comments), so removing that statement cannot clash.
      const at = lineStart(text, first.getLeadingCommentRanges()[0]?.getPos() ?? first.getStart());
      edits.insert(at, statements.map((s) => `${indentOf(first)}${s}\n`).join(''));
    } else {
      const inner = indentOf(handler) + unit;
      edits.insert(body.getStart() + 1, statements.map((s) => `\n${inner}${s}`).join('') + (first ? `\n${inner}` : `\n${indentOf(handler)}`));
    }
    return;
  }
  const outer = indentOf(handler);
  const inner = outer + unit;
  const expression = Node.isParenthesizedExpression(body) ? body.getExpression() : body;
  edits.replace(body.getStart(), expression.getStart(), `{\n${statements.map((s) => `${inner}${s}\n`).join('')}${inner}return `);
  // Lines inside the expression move one level in, like the rest of a block body.
  const text = edits.text;
  for (let pos = text.indexOf('\n', expression.getStart()); pos !== -1 && pos < expression.getEnd(); pos = text.indexOf('\n', pos + 1)) {
    if (text[pos + 1] !== '\n') edits.insert(pos + 1, unit);
  }
  edits.replace(expression.getEnd(), body.getEnd(), `;\n${outer}}`);
}

/** Statements directly in a handler's block body (empty for concise bodies). */
export function topStatements(handler: InlineHandler): Statement[] {
  const body = handler.getBody();
  return Node.isBlock(body) ? body.getStatements() : [];
}

/** The statement of the handler body that holds `node` (directly in the top-level block). */
export function topStatementOf(handler: InlineHandler, node: Node): Statement | undefined {
  const body = handler.getBody();
  if (!Node.isBlock(body)) return undefined;
  let current: Node | undefined = node;
  while (current && current.getParent() !== body) current = current.getParent();
  return current as Statement | undefined;
}
