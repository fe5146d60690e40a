import type { FileChange } from '../engine/vfs.js';
import { applyAccepted } from './hunks.js';
import type { ReviewFile } from './plan.js';

/** What a review accepted, per file: the indexes of its accepted hunks. */
export type Decisions = ReadonlyMap<string, ReadonlySet<number>>;

export interface Accepted {
  /** The changes to write: whole, or with only the accepted hunks applied. */
  changes: FileChange[];
  /** Files whose accepted hunks do not make a file that parses (or do not apply): they can only be taken whole. */
  wholeOnly: Array<{ file: ReviewFile; reason: string }>;
}

/** Turn decisions into the changes to write. A file with no accepted hunk is left out. */
export function acceptedChanges(files: readonly ReviewFile[], decisions: Decisions): Accepted {
  const changes: FileChange[] = [];
  const wholeOnly: Accepted['wholeOnly'] = [];
  for (const file of files) {
    const accepted = decisions.get(file.change.path) ?? new Set<number>();
    if (accepted.size === 0) continue;
    const result = applyAccepted(file.change, accepted);
    if (result.kind === 'ok') {
      if (result.text !== (file.change.before ?? '')) changes.push({ ...file.change, after: result.text });
    } else {
      wholeOnly.push({ file, reason: result.reason });
    }
  }
  return { changes, wholeOnly };
}
