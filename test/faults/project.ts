import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The cart server every write test migrates (one import group: server + the handle store it gets). */
export const CART_SERVER = readFileSync(join(REPO_ROOT, 'test/fixtures/session-state-to-handles/cart-v2/input/src/server.ts'), 'utf8');

/** A throwaway project under test/.tmp (ignored by git), removed by `remove()`. */
export interface Scratch {
  dir: string;
  write(path: string, content: string | Buffer): string;
  bytes(path: string): Buffer;
  text(path: string): string;
  /** Every file below the folder, root-relative, sorted. */
  files(): string[];
  remove(): void;
}

export function scratchProject(label: string, files: Record<string, string | Buffer> = {}): Scratch {
  const dir = join(REPO_ROOT, 'test', '.tmp', `faults-${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const scratch: Scratch = {
    dir,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
      return join(dir, path);
    },
    bytes: (path) => readFileSync(join(dir, path)),
    text: (path) => readFileSync(join(dir, path), 'utf8'),
    files() {
      const found: string[] = [];
      const walk = (folder: string) => {
        for (const entry of readdirSync(folder)) {
          const path = join(folder, entry);
          if (entry === '.git') continue;
          if (statSync(path).isDirectory()) walk(path);
          else found.push(relative(dir, path).split('\\').join('/'));
        }
      };
      walk(dir);
      return found.sort();
    },
    remove() {
      chmodRecursive(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(files)) scratch.write(path, content);
  return scratch;
}

/** Give a folder (and everything in it) to another user, so permissions apply to a process running as that user. */
export function giveTo(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) giveTo(join(path, entry), uid, gid);
}

function chmodRecursive(path: string): void {
  try {
    chmodSync(path, 0o755);
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chmodRecursive(join(path, entry));
  } catch {
    // Already gone.
  }
}
