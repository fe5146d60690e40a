/**
 * Atomic updates: a rewritten handler that resolves a record, changes it, and writes it back
 *
 *   const cart = await handles.resolve(carts, cart_id, principalOf(ctx));
 *   cart.push(item);
 *   await handles.update(carts, cart_id, principalOf(ctx), () => cart);
 *
 * loses updates when two calls interleave (both read the same value; the second write drops the first
 * change). When the changes between the two calls are synchronous, they move into the store's functional
 * update, which applies them to the current value inside the store (serialized in memory, compare-and-set
 * on Redis):
 *
 *   const cart = await handles.update(carts, cart_id, principalOf(ctx), (cart) => {
 *     cart.push(item);
 *     return cart;
 *   });
 *
 * Runs on the text the handle edits produced, so it needs nothing from the planners.
 */
import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph';

/** A replacement of `[start, end)` in the file's text. */
interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The result of {@link makeUpdatesAtomic}: the new text and where an old position went. */
export interface AtomicUpdates {
  text: string;
  /** Maps a position in the text before to the text after. */
  mapPosition(position: number): number;
}

/** Rewrite every eligible resolve → change → `update(() => local)` run of `file` into one functional update. */
export function makeUpdatesAtomic(file: SourceFile): AtomicUpdates | undefined {
  const edits: TextEdit[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const found = writeBackRun(call);
    if (found) edits.push(...editsFor(file, found));
  }
  if (edits.length === 0) return undefined;
  edits.sort((a, b) => a.start - b.start);
  const source = file.getFullText();
  let text = '';
  let at = 0;
  for (const edit of edits) {
    text += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  text += source.slice(at);
  return {
    text,
    mapPosition: (position) => {
      let delta = 0;
      for (const edit of edits) {
        if (edit.end <= position) delta += edit.text.length - (edit.end - edit.start);
        else if (edit.start < position) return edit.start + delta;
        else break;
      }
      return position + delta;
    },
  };
}

interface WriteBackRun {
  local: string;
  keyword: string;
  resolve: Statement;
  between: Statement[];
  update: Statement;
  usedAfter: boolean;
}

function writeBackRun(call: Node): WriteBackRun | undefined {
  if (!Node.isCallExpression(call) || call.getExpression().getText() !== 'handles.update') return undefined;
  const args = call.getArguments();
  const change = args[3];
  if (args.length !== 4 || !Node.isArrowFunction(change) || change.getParameters().length > 0) return undefined;
  const body = change.getBody();
  if (!Node.isIdentifier(body)) return undefined;
  const local = body.getText();
  const update = call.getParentIfKind(SyntaxKind.AwaitExpression)?.getParentIfKind(SyntaxKind.ExpressionStatement);
  const block = update?.getParent();
  if (!update || !block || !(Node.isBlock(block) || Node.isSourceFile(block))) return undefined;
  const statements = block.getStatements();
  const updateIndex = statements.indexOf(update);
  const key = args.slice(0, 3).map((arg) => arg.getText());
  for (let index = updateIndex - 1; index >= 0; index--) {
    const statement = statements[index]!;
    if (resolvesInto(statement, local, key)) {
      const between = statements.slice(index + 1, updateIndex);
      if (!between.every(isSynchronousStep) || declaresUsedLater(between, statements.slice(updateIndex + 1))) return undefined;
      const keyword = Node.isVariableStatement(statement) ? statement.getDeclarationKind() : 'const';
      const usedAfter = statements.slice(updateIndex + 1).some((later) => mentions(later, local));
      return { local, keyword, resolve: statement, between, update, usedAfter };
    }
    // Anything else touching the local before the resolve is found: not the simple run this handles.
    if (mentions(statement, local) && !isSynchronousStep(statement)) return undefined;
  }
  return undefined;
}

/** `const <local> = await handles.resolve(<same kind, id, principal>);` */
function resolvesInto(statement: Statement, local: string, key: readonly string[]): boolean {
  if (!Node.isVariableStatement(statement)) return false;
  const declarations = statement.getDeclarations();
  if (declarations.length !== 1) return false;
  const declaration = declarations[0]!;
  if (declaration.getName() !== local || !Node.isIdentifier(declaration.getNameNode())) return false;
  const initializer = declaration.getInitializer();
  const call = Node.isAwaitExpression(initializer) ? initializer.getExpression() : undefined;
  if (!Node.isCallExpression(call) || call.getExpression().getText() !== 'handles.resolve') return false;
  const args = call.getArguments().map((arg) => arg.getText());
  return args.length === 3 && args.every((arg, index) => arg === key[index]);
}

/** A statement that can run inside a synchronous callback unchanged: no await, and no jump out of the handler. */
function isSynchronousStep(statement: Statement): boolean {
  if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement)) return false;
  const escapes = [SyntaxKind.AwaitExpression, SyntaxKind.ReturnStatement, SyntaxKind.BreakStatement, SyntaxKind.ContinueStatement, SyntaxKind.YieldExpression];
  const check = (node: Node): boolean => {
    if (escapes.includes(node.getKind())) return false;
    // Inside a nested function, `return` and `await` belong to that function.
    if (Node.isFunctionLikeDeclaration(node) || Node.isArrowFunction(node)) return true;
    // A loop or switch inside the run owns its own break and continue.
    if (Node.isIterationStatement(node) || Node.isSwitchStatement(node)) {
      return node.getDescendants().every((inner) => inner.getKind() !== SyntaxKind.AwaitExpression && inner.getKind() !== SyntaxKind.ReturnStatement && inner.getKind() !== SyntaxKind.YieldExpression && !Node.isLabeledStatement(inner));
    }
    return node.getChildren().every(check);
  };
  return check(statement);
}

/** Whether a name declared by the run (it would move into the callback) is still read after it. */
function declaresUsedLater(between: readonly Statement[], after: readonly Statement[]): boolean {
  const names = between.flatMap((statement) => (Node.isVariableStatement(statement) ? statement.getDeclarations().flatMap((d) => namesOf(d.getNameNode())) : []));
  return names.some((name) => after.some((statement) => mentions(statement, name)));
}

function namesOf(node: Node): string[] {
  if (Node.isIdentifier(node)) return [node.getText()];
  return node.getDescendantsOfKind(SyntaxKind.Identifier).map((identifier) => identifier.getText());
}

function mentions(node: Node, name: string): boolean {
  return node.getDescendantsOfKind(SyntaxKind.Identifier).some((identifier) => identifier.getText() === name);
}

function editsFor(file: SourceFile, run: WriteBackRun): TextEdit[] {
  const source = file.getFullText();
  const indent = indentAt(source, run.resolve.getStart());
  const unit = indent.includes('\t') ? '\t' : '  ';
  const call = run.resolve.getText().match(/await handles\.resolve\(([\s\S]*)\);?$/);
  if (!call) return [];
  const head = `${run.usedAfter ? `${run.keyword} ${run.local} = ` : ''}await handles.update(${call[1]}, (${run.local}) => {`;
  const edits: TextEdit[] = [{ start: run.resolve.getStart(), end: run.resolve.getEnd(), text: head }];
  // One level deeper for every line of the run, except lines that start inside a multi-line string.
  const strings = run.between.flatMap((statement) =>
    statement.getDescendants().filter((node) => Node.isTemplateExpression(node) || Node.isNoSubstitutionTemplateLiteral(node)),
  );
  const updateLine = source.lastIndexOf('\n', run.update.getStart() - 1) + 1;
  for (let at = source.indexOf('\n', run.resolve.getEnd()); at !== -1 && at + 1 < updateLine; at = source.indexOf('\n', at + 1)) {
    const lineStart = at + 1;
    if (/^[ \t]*\r?\n/.test(source.slice(lineStart, lineStart + 400))) continue;
    if (strings.some((node) => node.getStart() < lineStart && lineStart < node.getEnd())) continue;
    edits.push({ start: lineStart, end: lineStart, text: unit });
  }
  edits.push({ start: run.update.getStart(), end: run.update.getEnd(), text: `${unit}return ${run.local};\n${indent}});` });
  return edits;
}

function indentAt(source: string, position: number): string {
  const lineStart = source.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}
