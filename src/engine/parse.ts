import { Project, ts, type Node, type SourceFile } from 'ts-morph';

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

/** The part of ts-morph's compiler factory a whole-file replacement needs (internal, pinned by the ts-morph major). */
interface CompilerFactory {
  createCompilerSourceFileFromText(filePath: string, text: string, scriptKind: ts.ScriptKind): ts.SourceFile;
  replaceCompilerNode(oldNode: SourceFile, newNode: ts.SourceFile): void;
}

/**
 * Replace a file's whole text: parse it once and swap the file's tree. ts-morph's own text edits also map
 * every wrapped node onto the new tree (or, after `forgetDescendants()`, walk them all to forget them),
 * which costs as much as the parse. No caller keeps nodes across a whole-file replacement: nodes of the
 * old tree stay readable but describe the old text, and `isCurrentNode` tells them apart.
 */
export function replaceFileText(file: SourceFile, text: string): void {
  const factory = (file as unknown as { _context: { compilerFactory: CompilerFactory } })._context.compilerFactory;
  factory.replaceCompilerNode(file, factory.createCompilerSourceFileFromText(file.getFilePath(), text, file.getScriptKind()));
}

/** Whether a node belongs to its file's current tree (not to one a whole-file replacement swapped out). */
export function isCurrentNode(node: Node): boolean {
  let current: ts.Node = node.compilerNode;
  while (current.parent) current = current.parent;
  return current === node.getSourceFile().compilerNode;
}
