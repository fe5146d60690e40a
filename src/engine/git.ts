import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TreeState = { kind: 'clean' } | { kind: 'dirty'; files: string[] } | { kind: 'not-a-repository' };

/**
 * Whether `dir` sits in a git work tree with uncommitted changes under it. A migration rewrites files in
 * place, so users keep `git diff` as their safety net: we refuse to mix our edits with theirs.
 */
export async function workTreeState(dir: string): Promise<TreeState> {
  try {
    const { stdout } = await run('git', ['status', '--porcelain', '--untracked-files=normal', '--', '.'], { cwd: dir });
    const files = stdout.split('\n').filter(Boolean).map((line) => line.slice(3));
    return files.length === 0 ? { kind: 'clean' } : { kind: 'dirty', files };
  } catch {
    return { kind: 'not-a-repository' };
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
