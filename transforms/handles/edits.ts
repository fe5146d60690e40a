import type { Node, SourceFile } from 'ts-morph';
import { removalStart } from '../shared/statement-comments.js';

/**
 * Edits of one file as ranges of its current text, all computed from the untouched tree and applied in
 * one pass. Working on ranges keeps every byte outside the touched spots (comments, formatting) exactly
 * as written, and lets many edits be planned from one set of nodes (ts-morph forgets nodes after text edits).
 */
interface Edit {
  start: number;
  end: number;
  text: string;
  /** Order of insertion, to keep several insertions at one point in the order they were asked for. */
  seq: number;
}

export class TextEdits {
  readonly #edits: Edit[] = [];

  constructor(readonly file: SourceFile) {}

  get text(): string {
    return this.file.getFullText();
  }

  get isEmpty(): boolean {
    return this.#edits.length === 0;
  }

  replace(start: number, end: number, text: string): void {
    for (const edit of this.#edits) {
      if (start < edit.end && edit.start < end) {
        throw new Error(`overlapping edits at ${start}-${end} and ${edit.start}-${edit.end}`);
      }
      // An insertion strictly inside a replaced range would be lost.
      if ((start === end && edit.start < start && start < edit.end) || (edit.start === edit.end && start < edit.start && edit.start < end)) {
        throw new Error(`an insertion at ${start === end ? start : edit.start} falls inside a replaced range`);
      }
    }
    this.#edits.push({ start, end, text, seq: this.#edits.length });
  }

  insert(pos: number, text: string): void {
    this.replace(pos, pos, text);
  }

  replaceNode(node: Node, text: string): void {
    this.replace(node.getStart(), node.getEnd(), text);
  }

  /** Remove a whole statement with its own leading comments and the rest of its line. */
  removeStatement(statement: Node): void {
    const text = this.text;
    const start = removalStart(text, statement);
    let end = statement.getEnd();
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && text.slice(end, newline).trim() === '') end = newline + 1;
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
    const copy = new TextEdits(this.file);
    for (const edit of this.#edits) copy.replace(edit.start, edit.end, edit.text);
    return copy;
  }

  /** Add every edit of `other` (planned on the same text); throws on overlap. */
  merge(other: TextEdits): void {
    for (const edit of other.#edits) this.replace(edit.start, edit.end, edit.text);
  }

  /**
   * Where an offset of the current text lands in the new one: after edits that end at or before it
   * (insertions at it included), and at the start of a replacement that covers it.
   */
  mapPosition(pos: number): number {
    let shift = 0;
    for (const edit of this.#edits) {
      if (edit.end <= pos) shift += edit.text.length - (edit.end - edit.start);
      else if (edit.start < pos) return this.mapPosition(edit.start);
    }
    return pos + shift;
  }

  /** The new text. */
  apply(): string {
    const text = this.text;
    const sorted = [...this.#edits].sort((a, b) => a.start - b.start || a.end - b.end || a.seq - b.seq);
    let out = '';
    let cursor = 0;
    for (const edit of sorted) {
      out += text.slice(cursor, edit.start) + edit.text;
      cursor = Math.max(cursor, edit.end);
    }
    return out + text.slice(cursor);
  }
}
