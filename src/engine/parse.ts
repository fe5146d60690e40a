import { Project, ts, type SourceFile } from 'ts-morph';

/** Script kinds by extension: JS files are parsed too (plain-JS servers are common). */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

export function isSourcePath(path: string): boolean {
  return !path.endsWith('.d.ts') && SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/**
 * A ts-morph project over an in-memory file system. Analysis is syntactic plus our own
 * import resolution, so no lib files or type checker are loaded: parsing stays the dominant cost.
 */
export function createMemoryProject(): Project {
  return new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.ES2022 },
  });
}

/** Parse errors TypeScript's parser itself reports (not type errors). */
export function syntaxErrors(file: SourceFile): string[] {
  const diagnostics = (file.compilerNode as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => {
    const { line, character } = file.compilerNode.getLineAndCharacterOfPosition(d.start);
    return `${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Project paths are rooted at `/` so root-relative paths map one to one. */
export function projectPath(relPath: string): string {
  return `/${relPath}`;
}

export function relativeOf(file: SourceFile): string {
  return file.getFilePath().replace(/^\//, '');
}

/**
 * Replace a file's whole text. Same result as `file.replaceWithText(text)`, without the indentation lookup
 * that call makes first, which re-parses the file in ts-morph's language service on every edit.
 */
export function replaceFileText(file: SourceFile, text: string): void {
  file.replaceText([file.getPos(), file.getEnd()], text);
}
