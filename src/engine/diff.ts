import { formatPatch, structuredPatch, type StructuredPatch, type StructuredPatchHunk } from 'diff';
import type { FileChange } from './vfs.js';

const CONTEXT = 3;

/** A git-style unified diff for one file (`a/` and `b/` prefixes, /dev/null for new files), applicable with `git apply`. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  const oldName = before === undefined ? '/dev/null' : `a/${path}`;
  const patch: StructuredPatch = {
    oldFileName: oldName,
    newFileName: `b/${path}`,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: before === undefined ? wholeHunks(oldName, path, '', after) : chunkedHunks(oldName, path, before, after),
  };
  // formatPatch opens with an "Index:"-less header; add the git line so `git apply` handles new files.
  const header = before === undefined ? `diff --git a/${path} b/${path}\nnew file mode 100644\n` : `diff --git a/${path} b/${path}\n`;
  return header + formatPatch(patch).split('\n').slice(1).join('\n');
}

/**
 * Every change as one patch; `prefix` (forward slashes, may be empty) is put before each run-relative path.
 * Each side is written as the file is stored (CRLF line ends, BOM), since `git apply` compares bytes.
 */
export function patchOf(changes: readonly FileChange[], prefix = ''): string {
  const base = prefix.replace(/\\/g, '/').replace(/\/$/, '');
  return changes
    .map((c) => unifiedDiff(base ? `${base}/${c.path}` : c.path, c.before === undefined ? undefined : asStored(c.before, c.stored), asStored(c.after, c.stored)))
    .join('');
}

function asStored(text: string, stored: FileChange['stored']): string {
  if (!stored) return text;
  const body = stored.crlf ? text.replace(/\r?\n/g, '\r\n') : text;
  return stored.bom ? `\uFEFF${body}` : body;
}

function wholeHunks(oldName: string, path: string, before: string, after: string): StructuredPatchHunk[] {
  return structuredPatch(oldName, `b/${path}`, before, after, undefined, undefined, { context: CONTEXT }).hunks;
}

/**
 * Myers' diff costs (lines × changed lines): quadratic when a large file changes all over, as a migrated
 * server with hundreds of tools does. The files are cut where both sides share a run of at least
 * 2 × context + 1 lines (found through lines unique to both sides, in order), each piece is diffed alone and
 * the hunks are shifted back into place. Hunks never span a cut, since the run between them is too long to
 * join them, so the patch has the same shape as a whole-file diff.
 */
function chunkedHunks(oldName: string, path: string, before: string, after: string): StructuredPatchHunk[] {
  const a = before.split(/(?<=\n)/);
  const b = after.split(/(?<=\n)/);
  const cuts = stableCuts(a, b);
  if (cuts.length === 0) return wholeHunks(oldName, path, before, after);
  const hunks: StructuredPatchHunk[] = [];
  let from: [number, number] = [0, 0];
  for (const to of [...cuts, [a.length, b.length] as [number, number]]) {
    const last = to[0] === a.length && to[1] === b.length;
    const piece = wholeHunks(oldName, path, a.slice(from[0], to[0]).join(''), b.slice(from[1], to[1]).join(''));
    for (const hunk of piece) {
      // An empty side starts at line 0 in unified diffs; shift only real positions.
      hunks.push({
        ...hunk,
        oldStart: hunk.oldLines === 0 && from[0] + hunk.oldStart === 0 ? 0 : hunk.oldStart + from[0],
        newStart: hunk.newLines === 0 && from[1] + hunk.newStart === 0 ? 0 : hunk.newStart + from[1],
      });
    }
    if (last) break;
    from = to;
  }
  return hunks;
}

/** Cut points (old line, new line) in the middle of runs of at least 2 × context + 1 lines both sides share. */
function stableCuts(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const counts = new Map<string, [number, number, number]>();
  a.forEach((line, index) => {
    const entry = counts.get(line) ?? [0, 0, -1];
    entry[0] += 1;
    entry[2] = index;
    counts.set(line, entry);
  });
  for (const line of b) {
    const entry = counts.get(line);
    if (entry) entry[1] += 1;
  }
  // Lines unique on both sides pair up; the longest increasing run of pairs (patience diff's anchors) is kept.
  const pairs: Array<[number, number]> = [];
  b.forEach((line, index) => {
    const entry = counts.get(line);
    if (entry && entry[0] === 1 && entry[1] === 1) pairs.push([entry[2], index]);
  });
  pairs.sort((x, y) => x[0] - y[0]);
  const anchors = longestIncreasing(pairs);
  const cuts: Array<[number, number]> = [];
  const span = 2 * CONTEXT + 1;
  for (const [i, j] of anchors) {
    let run = 0;
    while (run <= CONTEXT && i + run < a.length && j + run < b.length && a[i + run] === b[j + run]) run++;
    let back = 0;
    while (back <= CONTEXT && i - back - 1 >= 0 && j - back - 1 >= 0 && a[i - back - 1] === b[j - back - 1]) back++;
    if (run + back >= span && run > CONTEXT && back >= CONTEXT) {
      const last = cuts[cuts.length - 1];
      if (!last || (i - last[0] > span && j - last[1] > span)) cuts.push([i, j]);
    }
  }
  return cuts;
}

/** The longest subsequence of `pairs` (sorted by old line) whose new lines increase: O(n log n). */
function longestIncreasing(pairs: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const tails: number[] = [];
  const previous = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([, j], index) => {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (pairs[tails[mid]!]![1] < j) low = mid + 1;
      else high = mid;
    }
    if (low > 0) previous[index] = tails[low - 1]!;
    tails[low] = index;
  });
  const out: Array<[number, number]> = [];
  for (let index = tails[tails.length - 1] ?? -1; index !== -1; index = previous[index]!) out.push(pairs[index]!);
  return out.reverse();
}
