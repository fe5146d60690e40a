import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ts, type Project } from 'ts-morph';

/**
 * How a project's modules name each other besides relative paths: the `compilerOptions.paths` of its tsconfig.json
 * (`"@/*": ["src/*"]`, `"~/*": ["./src/*"]`), so `import { browserService } from '@/services/browser'` is followed
 * like `'../services/browser'`. Targets are root-relative, resolved from `baseUrl` (or the tsconfig's folder).
 */
export interface PathAlias {
  /** The specifier pattern, with at most one `*`. */
  pattern: string;
  /** Root-relative paths tried in order, `*` standing for what the pattern's `*` matched. */
  targets: readonly string[];
}

/** The path aliases of the tsconfig.json in `root` (its own `compilerOptions`; `extends` is not followed). */
export function readPathAliases(root: string): PathAlias[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  } catch {
    return []; // no tsconfig.json, or one that cannot be read: relative imports only
  }
  const options = (ts.parseConfigFileTextToJson('tsconfig.json', text).config as { compilerOptions?: { baseUrl?: unknown; paths?: unknown } } | undefined)?.compilerOptions;
  const paths = options?.paths;
  if (!paths || typeof paths !== 'object') return [];
  const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : '.';
  const aliases: PathAlias[] = [];
  for (const [pattern, targets] of Object.entries(paths as Record<string, unknown>)) {
    if (!Array.isArray(targets) || (pattern.match(/\*/g)?.length ?? 0) > 1) continue;
    const within = targets.filter((t): t is string => typeof t === 'string').map((t) => posix.normalize(posix.join(baseUrl, t)));
    // A target outside the project folder names nothing it holds.
    const local = within.filter((t) => !t.startsWith('..') && !posix.isAbsolute(t));
    if (local.length > 0) aliases.push({ pattern, targets: local.map((t) => (t === '.' ? '' : t)) });
  }
  return aliases;
}

/**
 * The project file an import specifier names: a relative one from `fromFile`, else the first target of the
 * best-matching alias (an exact pattern, then the one with the longest prefix before its `*`, as TypeScript picks)
 * that is a project file. Package imports resolve to nothing.
 */
export function resolveModule(fromFile: string, specifier: string, known: ReadonlySet<string>, aliases: readonly PathAlias[]): string | undefined {
  if (specifier.startsWith('.')) return resolveRelative(fromFile, specifier, known);
  for (const { alias, matched } of matchingAliases(specifier, aliases)) {
    for (const target of alias.targets) {
      const found = resolvePath(posix.normalize(target.replace('*', matched)), known);
      if (found) return found;
    }
  }
  return undefined;
}

function matchingAliases(specifier: string, aliases: readonly PathAlias[]): Array<{ alias: PathAlias; matched: string }> {
  const out: Array<{ alias: PathAlias; matched: string; rank: number }> = [];
  for (const alias of aliases) {
    const star = alias.pattern.indexOf('*');
    if (star < 0) {
      if (alias.pattern === specifier) out.push({ alias, matched: '', rank: Number.MAX_SAFE_INTEGER });
      continue;
    }
    const prefix = alias.pattern.slice(0, star);
    const suffix = alias.pattern.slice(star + 1);
    if (specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      out.push({ alias, matched: specifier.slice(prefix.length, specifier.length - suffix.length), rank: prefix.length });
    }
  }
  return out.sort((a, b) => b.rank - a.rank);
}

/**
 * Projects are built in memory without a tsconfig: the aliases travel in their compiler options (`paths` from the
 * root, `baseUrl` '/'), so code holding any file of the project resolves its imports the way the engine grouped them.
 */
export function setPathAliases(project: Project, aliases: readonly PathAlias[]): void {
  if (aliases.length === 0) return;
  project.compilerOptions.set({ baseUrl: '/', paths: Object.fromEntries(aliases.map((a) => [a.pattern, [...a.targets]])) });
}

/** The aliases `setPathAliases` gave a project (none for a project built without them). */
export function pathAliasesOf(project: Project): PathAlias[] {
  const paths = project.getCompilerOptions().paths ?? {};
  return Object.entries(paths).map(([pattern, targets]) => ({ pattern, targets }));
}

/** Extensions an import specifier may resolve to, in TypeScript's order ('./x.js' may name './x.ts'). */
const RESOLUTION_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.js'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** The project file a relative specifier of `fromFile` names. */
export function resolveRelative(fromFile: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  return resolvePath(posix.normalize(posix.join(posix.dirname(fromFile), specifier)), known);
}

/** The project file a root-relative module path names (`src/tools/base.js` may be `src/tools/base.ts`). */
export function resolvePath(base: string, known: ReadonlySet<string>): string | undefined {
  const ext = posix.extname(base);
  for (const replacement of JS_TO_TS[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + replacement;
    if (known.has(candidate)) return candidate;
  }
  return RESOLUTION_SUFFIXES.map((suffix) => base + suffix).find((candidate) => known.has(candidate));
}
