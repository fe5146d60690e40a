import { createTwoFilesPatch } from 'diff';
import type { FileChange } from './vfs.js';

/** A git-style unified diff for one file (`a/` and `b/` prefixes, /dev/null for new files), applicable with `git apply`. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    `b/${path}`,
    before ?? '',
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  // createTwoFilesPatch opens with an "Index:"-less header; add the git line so `git apply` handles new files.
  const header = before === undefined ? `diff --git a/${path} b/${path}\nnew file mode 100644\n` : `diff --git a/${path} b/${path}\n`;
  return header + patch.split('\n').slice(1).join('\n');
}

/** Every change as one patch; `prefix` (forward slashes, may be empty) is put before each run-relative path. */
export function patchOf(changes: readonly FileChange[], prefix = ''): string {
  const base = prefix.replace(/\\/g, '/').replace(/\/$/, '');
  return changes.map((c) => unifiedDiff(base ? `${base}/${c.path}` : c.path, c.before, c.after)).join('');
}
