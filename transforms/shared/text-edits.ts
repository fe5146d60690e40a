import type { Node } from 'ts-morph';
import type { RuleId } from '../../src/rules/rules.js';

/**
 * The one edit layer every transform writes through: edits are ranges of one text, planned from one
 * untouched tree and applied in one pass. Ranges keep every byte outside the touched spots (comments,
 * formatting) exactly as written, and let many edits be planned from one set of nodes (ts-morph forgets
 * node wrappers once the text changes). Markers can ride along inside new text, or be asked for at an
 * offset of the old text; both come back as offsets of the new text.
 */

/** A marker to place once all edits are done, at an offset of the current text. */
export interface MarkerRequest {
  pos: number;
  rule: RuleId;
  message: string;
  /** `info`: a note for the report only, no comment in the code. */
  level?: 'info';
}

/** A marker inside an edit's new text, by offset into it. */
export interface MarkerInText {
  offset: number;
  rule: RuleId;
  message: string;
  /** `info`: a note for the report only (one about code the edit removes has nowhere else to stand). */
  level?: 'info';
}

/** Two planned edits touch the same code: the plan is wrong, and the rewrite that made it is declined. */
export class OverlappingEdits extends Error {}

interface RangeEdit {
  start: number;
  end: number;
  text: string;
  markers: readonly MarkerInText[];
  /** Order of asking, so several insertions at one point keep the order they were asked for. */
  seq: number;
}

export class TextEdits {
  readonly #edits: RangeEdit[] = [];

  constructor(readonly text: string) {}

  get size(): number {
    return this.#edits.length;
  }

  get isEmpty(): boolean {
    return this.#edits.length === 0;
  }

  /**
   * Replace [start, end) of the current text; start === end inserts. Overlapping edits are a bug in the
   * caller: throwing makes the engine roll the file back instead of writing a garbled one.
   */
  replace(start: number, end: number, text: string, markers: readonly MarkerInText[] = []): void {
    for (const edit of this.#edits) {
      if (start < edit.end && edit.start < end) throw new OverlappingEdits('two edits change the same code');
      // An insertion strictly inside a replaced range would be lost.
      if ((start === end && edit.start < start && start < edit.end) || (edit.start === edit.end && start < edit.start && edit.start < end)) {
        throw new OverlappingEdits('an insertion falls inside a replaced range');
      }
    }
    this.#edits.push({ start, end, text, markers, seq: this.#edits.length });
  }

  insert(pos: number, text: string, markers: readonly MarkerInText[] = []): void {
    this.replace(pos, pos, text, markers);
  }

  /** Replace a node's own text (no surrounding trivia). */
  replaceNode(node: Node, text: string, markers: readonly MarkerInText[] = []): void {
    this.replace(node.getStart(), node.getEnd(), text, markers);
  }

  /** Add every edit of `other` (planned on the same text); throws on overlap. */
  merge(other: TextEdits): void {
    for (const edit of other.#edits) this.replace(edit.start, edit.end, edit.text, edit.markers);
  }

  /** Copy this set's edits into `target` (an empty set on the same text): a trial merge that commits nothing. */
  protected copyInto<T extends TextEdits>(target: T): T {
    target.merge(this);
    return target;
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
    return this.result().text;
  }

  /**
   * The new text, with the markers placed: those riding in edits, and `pending` ones asked for at offsets of
   * the current text (dropped when their spot was replaced).
   */
  result(pending: readonly MarkerRequest[] = []): { text: string; markers: MarkerRequest[] } {
    const sorted = [...this.#edits].sort((a, b) => a.start - b.start || a.end - b.end || a.seq - b.seq);
    let out = '';
    let cursor = 0;
    const placed: MarkerRequest[] = [];
    for (const edit of sorted) {
      out += this.text.slice(cursor, edit.start);
      const at = out.length;
      out += edit.text;
      for (const marker of edit.markers) placed.push({ pos: at + marker.offset, rule: marker.rule, message: marker.message, ...(marker.level ? { level: marker.level } : {}) });
      cursor = Math.max(cursor, edit.end);
    }
    out += this.text.slice(cursor);
    for (const marker of pending) {
      const covered = this.#edits.some((edit) => edit.start <= marker.pos && marker.pos < edit.end);
      if (!covered) placed.push({ ...marker, pos: this.mapPosition(marker.pos) });
    }
    return { text: out, markers: placed };
  }
}
