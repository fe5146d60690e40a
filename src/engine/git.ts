import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TreeState =
  | { kind: 'clean' }
  | { kind: 'dirty'; files: string[] }
  | { kind: 'not-a-repository' }
  /** Git could not say (not installed, dubious ownership, a broken repository): callers must fail closed. */
  | { kind: 'unknown'; reason: string };

/**
 * Whether `dir` sits in a git work tree with uncommitted changes under it. A migration rewrites files in
 * place, so users keep `git diff` as their safety net: we refuse to mix our edits with theirs.
 *
 * A folder outside any repository has no such net to protect: that is `not-a-repository`, and writing
 * proceeds as before. Every other failure of git is `unknown`, never taken for clean.
 */
export async function workTreeState(dir: string): Promise<TreeState> {
  try {
    const { stdout } = await run('git', ['status', '--porcelain', '--untracked-files=normal', '--', '.'], { cwd: dir });
    const files = stdout.split('\n').filter(Boolean).map((line) => line.slice(3));
    return files.length === 0 ? { kind: 'clean' } : { kind: 'dirty', files };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      // git itself is missing: a .git above the folder means there is a repository it could not check.
      return insideRepository(dir) ? { kind: 'unknown', reason: 'git is not on PATH' } : { kind: 'not-a-repository' };
    }
    const stderr = String(failure.stderr ?? '').trim();
    if (/not a git repository/i.test(stderr) && !insideRepository(dir)) return { kind: 'not-a-repository' };
    const line = stderr.split('\n').find((text) => /fatal|error/i.test(text)) ?? stderr.split('\n')[0] ?? failure.message;
    return { kind: 'unknown', reason: line.replace(/^fatal:\s*/i, '') || 'git failed' };
  }
}

/** Whether a `.git` entry (folder, or file of a linked work tree) exists in `dir` or above it. */
function insideRepository(dir: string): boolean {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return true;
    if (dirname(current) === current) return false;
  }
}

/** The top folder of the git work tree holding `dir`, or undefined outside one (or without git). */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
