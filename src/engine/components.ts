import { ts } from 'ts-morph';
import { resolveModule, type PathAlias } from './module-paths.js';

/**
 * Group files into independent units of work: a file and every file it reaches through its imports (relative, or
 * through the project's path aliases), either way, land in the same group, with the modules that import them (entry
 * points), so cross-file analysis (state declared in one module, used by handlers registered in another) always sees
 * both sides. Groups can then run in parallel.
 *
 * Imports are read with `ts.preProcessFile`, a scanner that does not build an AST: much cheaper than parsing.
 */
export function groupByImports(seeds: readonly string[], texts: ReadonlyMap<string, string>, aliases: readonly PathAlias[] = []): string[][] {
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
    for (const target of localImports(file, texts.get(file) ?? '', known, aliases)) {
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
    const imported = localImports(file, texts.get(file) ?? '', known, aliases).filter((target) => parent.has(target));
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

/** The project files a file imports: by relative specifiers, and through the project's path aliases (`@/services/x`). */
export function localImports(file: string, text: string, known: ReadonlySet<string>, aliases: readonly PathAlias[] = []): string[] {
  const info = ts.preProcessFile(text, true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    const resolved = resolveModule(file, fileName, known, aliases);
    if (resolved) out.push(resolved);
  }
  return out;
}
