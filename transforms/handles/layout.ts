import { Node, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import type { TextEdits } from './edits.js';
import { lineStart } from '../shared/statement-comments.js';
import { indentUnit } from '../shared/indent.js';

export { indentUnit };

/** Lines longer than this after an insertion are broken up, the way a reviewer would write them by hand. */
export const MAX_LINE = 100;

/** The indentation of the line a node starts on. */
export function indentOf(node: Node): string {
  const text = node.getSourceFile().getFullText();
  const start = lineStart(text, node.getStart());
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** The whole text of the line holding `pos`. */
export function lineAt(text: string, pos: number): string {
  const start = lineStart(text, pos);
  const end = text.indexOf('\n', pos);
  return text.slice(start, end === -1 ? text.length : end);
}

/** Whether a node is written on one line. */
export function isSingleLine(node: Node): boolean {
  return !node.getText().includes('\n');
}

/** Shift every line but the first of `text` by `delta` (a whitespace string to add, or a negative count to remove). */
export function reindent(text: string, add: string): string {
  return text.replace(/\n(?=[^\n])/g, `\n${add}`);
}

/** The file's quote style for new string literals. */
export function quoteOf(file: SourceFile): string {
  const text = file.getFullText();
  const single = (text.match(/'/g) ?? []).length;
  const double = (text.match(/"/g) ?? []).length;
  return double > single ? '"' : "'";
}

/** Whether the file ends statements with semicolons. */
export function usesSemicolons(file: SourceFile): boolean {
  const statements = file.getStatements();
  if (statements.length === 0) return true;
  return statements.some((statement) => statement.getText().trimEnd().endsWith(';'));
}

/**
 * Add properties to an object literal, keeping its style: a multi-line object gets one line per new
 * property; a one-line object stays on one line unless that line would grow past {@link MAX_LINE},
 * in which case it is broken into one property per line.
 * `first` puts the new properties before the existing ones (a handle id reads best first).
 */
export function addProperties(
  edits: TextEdits,
  object: ObjectLiteralExpression,
  properties: readonly string[],
  first = false,
  /** Characters other edits add to the same line. */
  extraWidth = 0,
  /** Lists other sites of the plan already opened up: add to them where they said, and say where to add to ours. */
  openings?: Openings,
): void {
  if (properties.length === 0) return;
  const existing = object.getProperties();
  const unit = indentUnit(object.getSourceFile());
  const base = indentOf(object);
  const opened = first ? openings?.get(object) : undefined;
  if (opened) return addAtOpening(edits, opened, properties);
  if (existing.length === 0 && openings) {
    // Split at the braces, so another site can add its properties between ours and the closing brace.
    const open = object.getStart() + 1;
    const inline = `{ ${properties.join(', ')} }`;
    if (lineAt(edits.text, object.getStart()).length + inline.length - object.getText().length <= MAX_LINE) {
      edits.replace(object.getStart(), open, `{ ${properties.join(', ')}`);
      edits.replace(open, object.getEnd(), ' }');
      openings.record(object, { pos: open, before: ', ', after: '' });
    } else {
      edits.replace(object.getStart(), open, `{${properties.map((p) => `\n${base}${unit}${p},`).join('')}`);
      edits.replace(open, object.getEnd(), `\n${base}}`);
      openings.record(object, { pos: open, before: `\n${base}${unit}`, after: ',' });
    }
    return;
  }
  if (existing.length === 0) {
    const inline = `{ ${properties.join(', ')} }`;
    if (lineAt(edits.text, object.getStart()).length + inline.length - object.getText().length <= MAX_LINE) {
      edits.replaceNode(object, inline);
    } else {
      edits.replaceNode(object, `{\n${properties.map((p) => `${base}${unit}${p},\n`).join('')}${base}}`);
    }
    return;
  }
  if (!isSingleLine(object)) {
    const inner = indentOf(existing[0]!);
    if (first) {
      edits.insert(existing[0]!.getStart(), properties.map((p) => `${p},\n${inner}`).join(''));
    } else {
      if (hasTrailingComma(object)) {
        edits.insert(trailingCommaEnd(object), properties.map((p) => `\n${inner}${p},`).join(''));
      } else {
        edits.insert(existing[existing.length - 1]!.getEnd(), properties.map((p) => `,\n${inner}${p}`).join(''));
      }
    }
    return;
  }
  const added = properties.join(', ').length + 2 + extraWidth;
  // Single-line objects around this one on the same line: the outermost breaks up first, then the next one in,
  // until the line holding the new properties fits (how one would rewrap by hand).
  const chain = [object, ...object.getAncestors().filter((a): a is ObjectLiteralExpression => Node.isObjectLiteralExpression(a))]
    .filter((o) => isSingleLine(o) && startLine(o) === startLine(object))
    .reverse();
  let lineLength = lineAt(edits.text, object.getStart()).length;
  let indent = base;
  for (const outer of chain) {
    if (lineLength + added <= MAX_LINE) break;
    const inner = indent + unit;
    const parts = outer.getProperties();
    const isTarget = outer === object;
    explode(edits, outer, indent, unit, isTarget ? properties : [], first);
    if (isTarget) {
      if (first) openings?.record(object, { pos: existing[0]!.getStart(), before: '', after: `,\n${indent}${unit}` });
      return;
    }
    const holder = parts.find((p) => object.getAncestors().includes(p as never))!;
    lineLength = inner.length + holder.getText().length + 1;
    indent = inner;
  }
  if (first) edits.insert(existing[0]!.getStart(), `${properties.join(', ')}, `);
  else edits.insert(existing[existing.length - 1]!.getEnd(), `, ${properties.join(', ')}`);
}

/**
 * Where a later site adds to a list an earlier site of the same plan already rewrote (a schema shape it broke
 * into lines, an empty `{}` it filled, the `_args` it destructured): each item is inserted as
 * `${before}${item}${after}` at `pos`, a boundary the earlier edits left free.
 */
export interface Opening {
  pos: number;
  before: string;
  after: string;
}

export interface Openings {
  get(node: Node): Opening | undefined;
  record(node: Node, opening: Opening): void;
}

export function addAtOpening(edits: TextEdits, opening: Opening, items: readonly string[]): void {
  edits.insert(opening.pos, items.map((item) => `${opening.before}${item}${opening.after}`).join(''));
}

/** Break a one-line object into one property per line (edits only at the boundaries), adding `properties`. */
function explode(edits: TextEdits, object: ObjectLiteralExpression, base: string, unit: string, properties: readonly string[], first: boolean): void {
  const existing = object.getProperties();
  const lines = (texts: readonly string[]) => texts.map((p) => `\n${base}${unit}${p},`).join('');
  const open = object.getStart() + 1;
  const close = object.getEnd() - 1;
  edits.replace(open, existing[0]!.getStart(), first ? lines(properties) + `\n${base}${unit}` : `\n${base}${unit}`);
  for (let i = 1; i < existing.length; i++) edits.replace(existing[i - 1]!.getEnd(), existing[i]!.getStart(), `,\n${base}${unit}`);
  edits.replace(existing[existing.length - 1]!.getEnd(), close, `,${first ? '' : lines(properties)}\n${base}`);
}

function hasTrailingComma(object: ObjectLiteralExpression): boolean {
  const last = object.getProperties().at(-1);
  if (!last) return false;
  return /^\s*,/.test(object.getSourceFile().getFullText().slice(last.getEnd(), object.getEnd() - 1));
}

function trailingCommaEnd(object: ObjectLiteralExpression): number {
  const last = object.getProperties().at(-1)!;
  const text = object.getSourceFile().getFullText();
  return text.indexOf(',', last.getEnd()) + 1;
}

/** A property of an object literal by name (`inputSchema`), when written as `name: value` or shorthand. */
export function propertyNamed(object: ObjectLiteralExpression, name: string): Node | undefined {
  return object.getProperties().find((property) => {
    if (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property) || Node.isMethodDeclaration(property)) {
      return property.getName() === name || property.getName() === `'${name}'` || property.getName() === `"${name}"`;
    }
    return false;
  });
}

/** The start line through the compiler's cached line map (ts-morph's getStartLineNumber scans the text: slow in large files). */
function startLine(node: Node): number {
  return node.getSourceFile().compilerNode.getLineAndCharacterOfPosition(node.getStart()).line;
}
