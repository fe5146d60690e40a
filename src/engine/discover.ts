import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { ts } from 'ts-morph';
import { SDK_PACKAGE_NAMES } from '../rules/sdk.js';
import { isSourcePath } from './parse.js';

export interface DiscoverOptions {
  /** Globs (root-relative) a file must match; empty means every source file. */
  include?: readonly string[];
  /** Globs (root-relative) that remove files. */
  exclude?: readonly string[];
}

/** Folders never worth descending into, whatever .gitignore says. */
const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn']);

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * Every TypeScript/JavaScript source file under `root`, as sorted root-relative posix paths.
 * Honours .gitignore files at every level (nested ones apply below their folder), skips
 * node_modules and VCS folders, a tsconfig's build output and copies of the MCP SDK kept below the root,
 * and applies --include/--exclude globs last.
 * `root` may also be a single file, which is returned as-is when it is a source file.
 */
export async function discoverFiles(root: string, options: DiscoverOptions = {}): Promise<string[]> {
  const info = await stat(root);
  if (info.isFile()) return isSourcePath(root) ? [toPosix(root.split(sep).pop() ?? root)] : [];
  const found: string[] = [];
  await walk(root, root, [], found);
  const include = options.include?.length ? picomatch([...options.include], { dot: true }) : undefined;
  const exclude = options.exclude?.length ? picomatch([...options.exclude], { dot: true }) : undefined;
  return found.filter((path) => (!include || include(path)) && !(exclude && exclude(path))).sort();
}

interface ScopedIgnore {
  /** Folder (root-relative, '' for root) whose .gitignore this is. */
  base: string;
  rules: Ignore;
}

async function walk(root: string, dir: string, scopes: readonly ScopedIgnore[], found: string[]): Promise<void> {
  const relDir = toPosix(relative(root, dir));
  const own = await readGitignore(dir);
  const active = own ? [...scopes, { base: relDir, rules: own }] : scopes;
  const entries = await readdir(dir, { withFileTypes: true });
  const output = await buildOutputOf(dir);
  for (const entry of entries) {
    if (entry.isSymbolicLink()) continue; // links can loop or leave the project
    const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
    const isDir = entry.isDirectory();
    if (isDir && ALWAYS_SKIPPED.has(entry.name)) continue;
    // Compiled output committed beside its sources (for npm) is rebuilt from them: edits there are lost.
    if (isDir && entry.name === output) continue;
    if (isIgnored(active, relPath, isDir)) continue;
    if (isDir && (await isVendoredSdk(join(dir, entry.name)))) continue;
    if (isDir) await walk(root, join(dir, entry.name), active, found);
    else if (entry.isFile() && isSourcePath(entry.name)) found.push(relPath);
  }
}

function isIgnored(scopes: readonly ScopedIgnore[], relPath: string, isDir: boolean): boolean {
  return scopes.some(({ base, rules }) => {
    const inner = base ? relPath.slice(base.length + 1) : relPath;
    return rules.ignores(isDir ? `${inner}/` : inner);
  });
}

/**
 * The folder directly below `dir` that the tsconfig.json there compiles into (`"outDir": "./dist"`), when it is
 * not also where the sources are. Read with the compiler's own reader: tsconfig files hold comments.
 */
async function buildOutputOf(dir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'tsconfig.json'), 'utf8');
  } catch {
    return undefined;
  }
  const options = (ts.parseConfigFileTextToJson('tsconfig.json', text).config as { compilerOptions?: Record<string, unknown> } | undefined)?.compilerOptions;
  const option = (name: string) => {
    const value = options?.[name];
    return typeof value === 'string' ? value.replace(/^\.\//, '').replace(/\/+$/, '') : undefined;
  };
  // `dist/esm` compiles into dist; `../build` leaves the folder.
  const folder = option('outDir')?.split('/')[0];
  if (!folder || folder === '.' || folder === '..' || folder === option('rootDir')?.split('/')[0]) return undefined;
  return folder;
}

/** A copy of the MCP SDK kept in the project (`typescript-sdk-main/`): its servers are examples, its sessions the SDK's. */
async function isVendoredSdk(dir: string): Promise<boolean> {
  try {
    const { name } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof name === 'string' && SDK_PACKAGE_NAMES.test(name);
  } catch {
    return false; // no package.json, or not one that parses: an ordinary folder
  }
}

async function readGitignore(dir: string): Promise<Ignore | undefined> {
  try {
    return ignore().add(await readFile(join(dir, '.gitignore'), 'utf8'));
  } catch {
    return undefined; // no .gitignore here
  }
}
