import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** A throwaway project folder on disk; `remove()` deletes it. */
export interface TempProject {
  dir: string;
  write(path: string, text: string): void;
  read(path: string): string;
  /** sha256 over every file's path and bytes (skipping .git and node_modules): proves a dry run wrote nothing. */
  hash(): string;
  git(...args: string[]): string;
  remove(): void;
}

export function tempProject(files: Record<string, string>, options: { git?: boolean } = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-sl-'));
  const project: TempProject = {
    dir,
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    hash() {
      const hash = createHash('sha256');
      const walk = (folder: string) => {
        for (const entry of readdirSync(folder).sort()) {
          if (entry === '.git' || entry === 'node_modules') continue;
          const path = join(folder, entry);
          if (statSync(path).isDirectory()) walk(path);
          else hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
        }
      };
      walk(dir);
      return hash.digest('hex');
    },
    git: (...args) =>
      execFileSync('git', args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [path, text] of Object.entries(files)) project.write(path, text);
  if (options.git) {
    project.git('init', '-q', '-b', 'main');
    project.git('add', '-A');
    project.git('commit', '-qm', 'initial');
  }
  return project;
}
