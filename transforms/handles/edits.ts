import type { Node, SourceFile } from 'ts-morph';
import { TextEdits as SharedTextEdits } from '../shared/text-edits.js';
import { removalStart } from '../shared/statement-comments.js';

/**
 * The handle transforms' edits of one file: the shared edit layer (../shared/text-edits.ts) on the file's
 * current text, with the statement and declaration removals these transforms need.
 */
export class TextEdits extends SharedTextEdits {
  constructor(readonly file: SourceFile) {
    super(file.getFullText());
  }

  /** Remove a whole statement with its own leading comments and the rest of its line. */
  removeStatement(statement: Node): void {
    const text = this.text;
    const start = removalStart(text, statement);
    let end = withTrailingComment(text, statement.getEnd());
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && text.slice(end, newline).trim() === '') end = newline + 1;
    this.replace(start, end, '');
  }

  /** Remove a statement; when it opened its block, the blank line that set it apart from the rest goes too. */
  removeOpeningStatement(statement: Node): void {
    const text = this.text;
    const start = removalStart(text, statement);
    let end = withTrailingComment(text, statement.getEnd());
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && text.slice(end, newline).trim() === '') end = newline + 1;
    const opens = /\{[ \t]*\n[ \t]*$/.test(text.slice(0, start));
    const blank = /^[ \t]*\n/.exec(text.slice(end));
    if (opens && blank) end += blank[0].length;
    this.replace(start, end, '');
  }

  /**
   * Remove a whole declaration that stood between blank lines (a helper function): with it goes one of the
   * blank lines around it, so its neighbours keep one blank line between them rather than two.
   */
  removeDeclaration(statement: Node): void {
    const text = this.text;
    const start = removalStart(text, statement);
    let end = statement.getEnd();
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && text.slice(end, newline).trim() === '') end = newline + 1;
    const blankBefore = start === 0 || /\n[ \t]*\n[ \t]*$/.test(text.slice(0, start));
    const blankAfter = /^[ \t]*\n/.exec(text.slice(end));
    if (blankBefore && blankAfter) end += blankAfter[0].length;
    else if (blankBefore && end >= text.length) return this.replace(text.slice(0, start).replace(/\n[ \t]*$/, '').length, end, '');
    this.replace(start, end, '');
  }

  /** A copy holding the same edits (to try a merge without committing it). */
  clone(): TextEdits {
    return this.copyInto(new TextEdits(this.file));
  }
}

/** The end of a statement with the `// comment` that follows it on its line: the comment described it. */
export function withTrailingComment(text: string, end: number): number {
  const comment = /^[ \t]*\/\/[^\n]*/.exec(text.slice(end));
  return comment ? end + comment[0].length : end;
}
