import { posix } from 'node:path';
import { ts } from 'ts-morph';

/**
 * Group files into independent units of work: a file and every file it reaches through relative imports
 * (either way) land in the same group, with the modules that import them (entry points), so cross-file analysis (state declared in one module, used by
 * handlers registered in another) always sees both sides. Groups can then run in parallel.
 *
 * Imports are read with `ts.preProcessFile`, a scanner that does not build an AST: much cheaper than parsing.
 */
export function groupByImports(seeds: readonly string[], texts: ReadonlyMap<string, string>): string[][] {
  const known = new Set(texts.keys());
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));

  // Seeds pull in what they import, transitively, so helper modules without session vocabulary are analysed too.
  const queue = [...seeds];
  for (const seed of seeds) parent.set(seed, seed);
  while (queue.length > 0) {
    const file = queue.pop() as string;
    for (const target of relativeImports(file, texts.get(file) ?? '', known)) {
      if (!parent.has(target)) {
        parent.set(target, target);
        queue.push(target);
      }
      union(file, target);
    }
  }
  // Entry modules that only import the server (`new SshServer().run()`, a signal handler calling its cleanup())
  // are pulled in too, one level up: what they call outside any request is part of the analysis.
  for (const file of known) {
    if (parent.has(file)) continue;
    const imported = relativeImports(file, texts.get(file) ?? '', known).filter((target) => parent.has(target));
    if (imported.length === 0) continue;
    parent.set(file, file);
    for (const target of imported) union(file, target);
  }
  const groups = new Map<string, string[]>();
  for (const file of parent.keys()) {
    const root = find(file);
    groups.set(root, [...(groups.get(root) ?? []), file]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** Extensions an import specifier may resolve to, in TypeScript's order ('./x.js' may name './x.ts'). */
const RESOLUTION_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.js'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

export function relativeImports(file: string, text: string, known: ReadonlySet<string>): string[] {
  const info = ts.preProcessFile(text, true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const resolved = resolveRelative(file, fileName, known);
    if (resolved) out.push(resolved);
  }
  return out;
}

export function resolveRelative(fromFile: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  const ext = posix.extname(base);
  for (const replacement of JS_TO_TS[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + replacement;
    if (known.has(candidate)) return candidate;
  }
  return RESOLUTION_SUFFIXES.map((suffix) => base + suffix).find((candidate) => known.has(candidate));
}
