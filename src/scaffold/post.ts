import { spawn } from 'node:child_process';
import { PACKAGE_MANAGERS } from './render-new.js';
import type { PackageManagerChoice } from './new-options.js';

/** The outcome of one external command. */
export interface CommandResult {
  ok: boolean;
  /** Why it failed: exit code and the tail of stderr, or the spawn error. */
  detail: string;
  /** The command itself is not installed (not on PATH). */
  notFound?: boolean;
}

/** Run a command in `cwd`; output is shown ('inherit') or kept for the error message ('pipe'). */
export function runCommand(command: string, args: readonly string[], cwd: string, stdio: 'inherit' | 'pipe' = 'pipe'): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd, stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, detail: error.message, notFound: error.code === 'ENOENT' }));
    child.once('close', (code) => resolve({ ok: code === 0, detail: code === 0 ? '' : `exit code ${code}${stderr ? `: ${stderr.trim()}` : ''}` }));
  });
}

/** Install dependencies with the chosen package manager. */
export function installDependencies(root: string, packageManager: PackageManagerChoice, stdio: 'inherit' | 'pipe' = 'inherit'): Promise<CommandResult> {
  const [command = packageManager, ...args] = PACKAGE_MANAGERS[packageManager].install.split(' ');
  return runCommand(command, args, root, stdio);
}

/** What `initGit` did. */
export type GitOutcome = 'committed' | 'initialized' | 'inside-repository' | 'unavailable';

/**
 * `git init` and a first commit. Skipped inside an existing work tree (the project is then part of
 * that repository). When the commit fails (no user identity configured) the repository stays initialized.
 */
export async function initGit(root: string, message: string): Promise<GitOutcome> {
  const inside = await runCommand('git', ['rev-parse', '--is-inside-work-tree'], root);
  if (inside.ok) return 'inside-repository';
  if (!(await runCommand('git', ['init', '-q'], root)).ok) return 'unavailable';
  if (!(await runCommand('git', ['add', '-A'], root)).ok) return 'initialized';
  return (await runCommand('git', ['commit', '-q', '-m', message], root)).ok ? 'committed' : 'initialized';
}
