/**
 * A file's pending change cut into hunks (the `diff` package's structured patch, 3 lines of context, as the
 * dry run prints them), and the text that results from applying only some of them.
 */
import { applyPatch, structuredPatch, type StructuredPatch, type StructuredPatchHunk } from 'diff';
import { createMemoryProject, projectPath, syntaxErrors } from '../engine/parse.js';
import type { FileChange } from '../engine/vfs.js';

export interface Hunk {
  /** The `@@ -a,b +c,d @@` line. */
  header: string;
  /** Lines with their ' ', '-', '+' prefix (and `\ No newline…` notes), as in a unified diff. */
  lines: string[];
  /** 0-based range of the original's lines the hunk removes or inserts before: [start, end), empty for a pure insertion. */
  changedOld: { start: number; end: number };
  /** The same, for the lines the hunk writes in the new text. */
  changedNew: { start: number; end: number };
  /** The structured hunk, for partial application. */
  raw: StructuredPatchHunk;
}

const CONTEXT = 3;

export function hunksOf(change: FileChange): Hunk[] {
  return patchOf(change).hunks.map((raw) => ({
    header: `@@ -${raw.oldStart},${raw.oldLines} +${raw.newStart},${raw.newLines} @@`,
    lines: raw.lines,
    ...changedRanges(raw),
    raw,
  }));
}

function patchOf(change: FileChange): StructuredPatch {
  return structuredPatch(change.path, change.path, change.before ?? '', change.after, undefined, undefined, { context: CONTEXT });
}

/** Where, inside the hunk's context, the change itself sits, on both sides. */
function changedRanges(raw: StructuredPatchHunk): Pick<Hunk, 'changedOld' | 'changedNew'> {
  // 1-based starts; an empty side (a new file) starts at 1 in jsdiff 8, at 0 in older versions.
  let oldLine = Math.max(0, raw.oldStart - 1);
  let newLine = Math.max(0, raw.newStart - 1);
  const old = { start: Number.POSITIVE_INFINITY, end: -1 };
  const neu = { start: Number.POSITIVE_INFINITY, end: -1 };
  const touch = (range: { start: number; end: number }, start: number, end: number) => {
    range.start = Math.min(range.start, start);
    range.end = Math.max(range.end, end);
  };
  for (const line of raw.lines) {
    if (line.startsWith('-')) {
      touch(old, oldLine, oldLine + 1);
      touch(neu, newLine, newLine);
      oldLine++;
    } else if (line.startsWith('+')) {
      touch(neu, newLine, newLine + 1);
      touch(old, oldLine, oldLine);
      newLine++;
    } else if (line.startsWith(' ')) {
      oldLine++;
      newLine++;
    }
  }
  return { changedOld: old, changedNew: neu };
}

export type PartialResult = { kind: 'ok'; text: string } | { kind: 'unparsable'; reason: string } | { kind: 'failed'; reason: string };

/**
 * The file's text with only the accepted hunks applied. Hunks never overlap (their contexts are merged), so a
 * subset applies cleanly; the result must still parse, or the file can only be taken whole.
 */
export function applyAccepted(change: FileChange, accepted: ReadonlySet<number>): PartialResult {
  const patch = patchOf(change);
  if (accepted.size === patch.hunks.length) return { kind: 'ok', text: change.after };
  if (accepted.size === 0) return { kind: 'ok', text: change.before ?? '' };
  const subset: StructuredPatch = { ...patch, hunks: patch.hunks.filter((_, index) => accepted.has(index)) };
  const text = applyPatch(change.before ?? '', subset);
  if (text === false) return { kind: 'failed', reason: 'the accepted hunks do not apply on their own' };
  const file = createMemoryProject().createSourceFile(projectPath(change.path), text);
  const errors = syntaxErrors(file);
  if (errors.length > 0) return { kind: 'unparsable', reason: `with only the accepted hunks the file does not parse (${errors[0]})` };
  return { kind: 'ok', text };
}
