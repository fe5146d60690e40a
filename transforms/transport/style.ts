import { Node, SyntaxKind, ts, type SourceFile } from 'ts-morph';

/** How the file writes code, so generated lines look like their neighbours. */
export interface Style {
  quote: "'" | '"';
  semi: string;
  /** One level of indentation. */
  unit: string;
  /** Whether multi-line object literals end with a comma. */
  trailingComma: boolean;
}

export function detectStyle(file: SourceFile): Style {
  const text = file.getFullText();
  const firstString = file.getFirstDescendantByKind(SyntaxKind.StringLiteral)?.getText() ?? "'";
  const quote = firstString.startsWith('"') ? '"' : "'";
  const statements = file.getStatements().filter((s) => Node.isImportDeclaration(s) || Node.isVariableStatement(s) || Node.isExpressionStatement(s));
  const withSemi = statements.filter((s) => s.getText().trimEnd().endsWith(';')).length;
  const semi = statements.length === 0 || withSemi * 2 >= statements.length ? ';' : '';
  // Lines that continue a block comment (` * …`) sit one space in and say nothing about indentation.
  const indents = [...text.matchAll(/\n([ \t]+)[^\s*]/g)].map((m) => m[1] ?? '');
  const tab = indents.some((i) => i.startsWith('\t'));
  const spaces = indents.filter((i) => !i.startsWith('\t')).map((i) => i.length).filter((n) => n > 0);
  const unit = tab ? '\t' : ' '.repeat(spaces.length > 0 ? Math.min(...spaces) : 2);
  const trailingComma = /,[ \t]*\r?\n[ \t]*[}\]]/.test(text);
  return { quote, semi, unit, trailingComma };
}

/** A string literal in the file's quote style. */
export function quoted(style: Style, value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(new RegExp(style.quote, 'g'), `\\${style.quote}`);
  return `${style.quote}${escaped}${style.quote}`;
}

/** The whitespace a line starts with. */
export function indentOf(text: string, pos: number): string {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/**
 * Lines of generated code, authored with two spaces per level, indented the way the file indents.
 * Quotes and semicolons are chosen by the snippet itself (via `quoted` and `style.semi`), never by
 * rewriting the text afterwards, so user expressions embedded in a snippet are left exactly as written.
 */
export function render(lines: readonly string[], style: Style, indent: string): string {
  return lines
    .map((line) => {
      const depth = /^( {2})*/.exec(line)?.[0].length ?? 0;
      const body = line.slice(depth);
      return body.length === 0 ? '' : `${indent}${style.unit.repeat(depth / 2)}${body}`;
    })
    .join('\n');
}

/**
 * Move existing source text (a statement with the comments above it) to a new indentation, line by
 * line, leaving lines that start inside a multi-line template literal untouched (their leading
 * whitespace is part of the string).
 */
export function reindent(node: Node, from: string, to: string, start = node.getStart()): string {
  const full = node.getSourceFile().getFullText();
  const text = full.slice(start, node.getEnd()).replace(/^[ \t]+/, '');
  const base = start + (full.slice(start, node.getEnd()).length - text.length);
  const source = node.getSourceFile().compilerNode;
  const frozen: Array<readonly [number, number]> = [];
  const visit = (child: ts.Node): void => {
    if (ts.isTemplateExpression(child) || ts.isNoSubstitutionTemplateLiteral(child)) frozen.push([child.getStart(source) - base, child.end - base]);
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(node.compilerNode, visit);
  const lines = text.split('\n');
  let offset = 0;
  return lines
    .map((line, i) => {
      const at = offset;
      offset += line.length + 1;
      if (i === 0) return line;
      if (frozen.some(([s, e]) => at > s && at < e)) return line;
      if (line.trim().length === 0) return '';
      return line.startsWith(from) ? `${to}${line.slice(from.length)}` : line.replace(/^[ \t]*/, to);
    })
    .join('\n');
}
