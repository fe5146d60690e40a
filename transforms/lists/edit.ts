import { Node, SyntaxKind, type ArrayLiteralExpression, type ObjectLiteralExpression, type SourceFile, type Statement } from 'ts-morph';
import type { FunctionLike } from './ast.js';
import { replaceFileText } from '../../src/engine/parse.js';
import { isExported } from '../shared/exports.js';
import { declarationOf, referencesTo } from './ast.js';
import { removalStart } from '../shared/statement-comments.js';
import { identifiersOf } from '../shared/file-index.js';
import { TextEdits } from '../shared/text-edits.js';
import { indentUnit } from '../shared/indent.js';

export { indentUnit };

/*
 * Edits as text splices computed from one state of the tree and applied together. The list transforms
 * re-analyse the file after every edit, so splicing text (which makes ts-morph forget node wrappers)
 * is safe, and generated code gets exactly the file's own indentation.
 */

/** Replace [start, end) with text; start === end inserts. */
export interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * Apply splices computed against the current text, all at once, through the shared edit layer: overlapping
 * splices are a bug in the caller, and throwing makes the engine roll the file back.
 */
export function applySplices(file: SourceFile, splices: readonly Splice[]): void {
  if (splices.length === 0) return;
  // Nothing keeps nodes across edits: every round re-analyses.
  replaceFileText(file, spliceText(file.getFullText(), 0, splices));
}

/** Apply splices (positions relative to `base`) to a snippet of text. */
export function spliceText(text: string, base: number, splices: readonly Splice[]): string {
  const edits = new TextEdits(text);
  for (const splice of splices) edits.replace(splice.start - base, splice.end - base, splice.text);
  return edits.apply();
}

/** Leading whitespace of the line holding `pos`. */
export function indentAt(file: SourceFile, pos: number): string {
  const text = file.getFullText();
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** Move a multi-line snippet from one base indentation to another (its first line carries none). */
export function reindent(text: string, from: string, to: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? line : line.trim() === '' ? '' : line.startsWith(from) ? to + line.slice(from.length) : line))
    .join('\n');
}

/** Indent every non-empty line of a generated snippet. */
export function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? indent + line : line))
    .join('\n');
}

/**
 * Insert statements on the lines after `statement`, at its indentation; separated by a blank line when
 * the statement is followed by one (the file spaces its statements out).
 */
export function insertAfter(file: SourceFile, statement: Statement, text: string): Splice {
  const indent = indentAt(file, statement.getStart());
  const spaced = /^[ \t]*\r?\n[ \t]*\r?\n/.test(file.getFullText().slice(statement.getEnd()));
  return { start: statement.getEnd(), end: statement.getEnd(), text: `${spaced ? '\n\n' : '\n'}${indentLines(text, indent)}` };
}

/** Insert statements at the top of a function body; an expression body becomes a block returning it. */
export function insertAtBodyStart(file: SourceFile, fn: FunctionLike, text: string): Splice {
  const body = fn.getBody();
  if (!body) throw new Error('function without a body');
  const unit = indentUnit(file);
  if (Node.isBlock(body)) {
    const first = body.getStatements()[0];
    const inner = first ? indentAt(file, first.getStart()) : indentAt(file, body.getStart()) + unit;
    const open = body.getStart() + 1;
    return { start: open, end: open, text: `\n${indentLines(text, inner)}` };
  }
  const base = indentAt(file, fn.getStart());
  const inner = base + unit;
  const expression = Node.isParenthesizedExpression(body) && Node.isObjectLiteralExpression(body.getExpression()) ? body.getExpression() : body;
  const returned = reindent(expression.getText(), base, inner);
  return { start: body.getStart(), end: body.getEnd(), text: `{\n${indentLines(text, inner)}\n${inner}return ${returned};\n${base}}` };
}

/** Append an element to an array or a property to an object literal, following its layout. */
export function appendMember(file: SourceFile, literal: ArrayLiteralExpression | ObjectLiteralExpression, member: string): Splice {
  const members: Node[] = Node.isArrayLiteralExpression(literal) ? literal.getElements() : literal.getProperties();
  return appendToList(file, literal, members, member, Node.isObjectLiteralExpression(literal));
}

/** Append to any bracketed, comma-separated list (`[…]`, `{…}` literals, named imports). */
function appendToList(file: SourceFile, literal: Node, members: readonly Node[], member: string, padded: boolean): Splice {
  const close = literal.getEnd() - 1;
  const multiline = literal.getText().includes('\n');
  const last = members[members.length - 1];
  if (!last) {
    if (multiline) {
      const indent = indentAt(file, literal.getStart()) + indentUnit(file);
      return { start: literal.getStart() + 1, end: close, text: `\n${indent}${reindent(member, '', indent)},\n${indentAt(file, close)}` };
    }
    const pad = padded ? ' ' : '';
    return { start: literal.getStart() + 1, end: close, text: `${pad}${member}${pad}` };
  }
  const between = file.getFullText().slice(last.getEnd(), close);
  const trailingComma = between.trimStart().startsWith(',');
  if (!multiline) return { start: last.getEnd(), end: last.getEnd(), text: `, ${member}` };
  const indent = indentAt(file, last.getStart());
  const at = trailingComma ? last.getEnd() + between.indexOf(',') + 1 : last.getEnd();
  return { start: at, end: at, text: `${trailingComma ? '' : ','}\n${indent}${reindent(member, '', indent)}${trailingComma ? ',' : ''}` };
}

/**
 * Remove a statement with its line, and the own-line comments directly above it (they describe it).
 * A statement sharing its line with other code loses only its own text.
 */
export function removeStatement(file: SourceFile, statement: Statement): Splice {
  const text = file.getFullText();
  const start = statement.getStart();
  const end = statement.getEnd();
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const newline = text.indexOf('\n', end);
  const lineEnd = newline === -1 ? text.length : newline + 1;
  if (text.slice(lineStart, start).trim() !== '' || text.slice(end, lineEnd).trim() !== '') return { start, end, text: '' };
  const from = removalStart(text, statement);
  // Between two blank lines, take one of them along so the gap does not double.
  const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(lineEnd));
  const end2 = blankAfter && /\n[ \t]*\r?\n$/.test(text.slice(0, from)) ? lineEnd + blankAfter[0].length : lineEnd;
  return { start: from, end: end2, text: '' };
}

/**
 * Make `name` importable from `module`: add it to an existing named import from that module, or add
 * an import line after the last one. Undefined when it is already imported.
 */
export function importSplice(file: SourceFile, module: string, name: string, typeOnly = false): Splice | undefined {
  const declarations = file.getImportDeclarations().filter((d) => d.getModuleSpecifierValue() === module);
  for (const declaration of declarations) {
    if (declaration.getNamedImports().some((s) => (s.getAliasNode()?.getText() ?? s.getName()) === name)) return undefined;
  }
  const target = declarations.find((d) => d.getNamedImports().length > 0 && (!d.isTypeOnly() || typeOnly));
  const bindings = target?.getImportClause()?.getNamedBindings();
  if (target && bindings) {
    const specifier = typeOnly && !target.isTypeOnly() ? `type ${name}` : name;
    return appendToList(file, bindings, target.getNamedImports(), specifier, true);
  }
  const imports = file.getImportDeclarations();
  const last = imports[imports.length - 1];
  const q = quoteStyle(file);
  const line = `import ${typeOnly ? 'type ' : ''}{ ${name} } from ${q}${module}${q};`;
  if (last) return { start: last.getEnd(), end: last.getEnd(), text: `\n${line}` };
  return { start: 0, end: 0, text: `${line}\n` };
}

function quoteStyle(file: SourceFile): string {
  const first = file.getImportDeclarations()[0]?.getModuleSpecifier().getText();
  return first?.startsWith('"') ? '"' : "'";
}

const PURE_METHODS = new Set(['has', 'get', 'includes', 'startsWith', 'endsWith']);

/** Expressions that only read: dropping them drops no side effect. */
export function isPure(node: Node): boolean {
  if (Node.isIdentifier(node) || Node.isLiteralExpression(node) || Node.isTrueLiteral(node) || Node.isFalseLiteral(node) || Node.isNullLiteral(node)) return true;
  if (Node.isPropertyAccessExpression(node) || Node.isParenthesizedExpression(node) || Node.isNonNullExpression(node)) return isPure(node.getExpression());
  if (Node.isPrefixUnaryExpression(node)) return isPure(node.getOperand());
  if (Node.isBinaryExpression(node)) {
    const kind = node.getOperatorToken().getKind();
    return !(kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment) && isPure(node.getLeft()) && isPure(node.getRight());
  }
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression();
    return Node.isPropertyAccessExpression(callee) && PURE_METHODS.has(callee.getName()) && isPure(callee.getExpression()) && node.getArguments().every(isPure);
  }
  return false;
}

/**
 * Remove statements; an `if` left with an empty body (and no else, and a condition that only reads)
 * goes too, and so does a local `const` that only that condition read.
 */
export function removeStatements(file: SourceFile, statements: Iterable<Statement>): Splice[] {
  const removing = new Set<Statement>(statements);
  const conditionLocals: Node[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const statement of [...removing]) {
      const block = statement.getParent();
      const holder = block?.getParent();
      if (!Node.isBlock(block) || !Node.isIfStatement(holder) || holder.getThenStatement() !== block || holder.getElseStatement()) continue;
      if (removing.has(holder) || !block.getStatements().every((s) => removing.has(s)) || !isPure(holder.getExpression())) continue;
      for (const s of block.getStatements()) removing.delete(s);
      removing.add(holder);
      conditionLocals.push(...identifiersOf(holder.getExpression()), holder.getExpression());
      changed = true;
    }
  }
  const inside = (node: Node) => [...removing].some((s) => s.getStart() <= node.getStart() && node.getEnd() <= s.getEnd());
  for (const identifier of conditionLocals) {
    if (!Node.isIdentifier(identifier)) continue;
    const declaration = declarationOf(identifier);
    if (!declaration || !Node.isVariableDeclaration(declaration)) continue;
    const statement = declaration.getVariableStatement();
    const init = declaration.getInitializer();
    if (!statement || statement.getDeclarations().length !== 1 || isExported(statement) || !init || !isPure(init)) continue;
    if (!Node.isIdentifier(declaration.getNameNode())) continue;
    const others = referencesTo(declaration);
    if (others.every(inside)) removing.add(statement);
  }
  return [...removing].filter((s) => ![...removing].some((o) => o !== s && o.getStart() <= s.getStart() && s.getEnd() <= o.getEnd())).map((s) => removeStatement(file, s));
}
