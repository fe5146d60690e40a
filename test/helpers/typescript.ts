import ts from 'typescript';

/**
 * The compiler options a parsed and bound source file depends on (the ones TypeScript's own document registry
 * keys shared files by, and `strict`, which implies `alwaysStrict`). Programs that agree on them can share files.
 */
const FILE_AFFECTING_OPTIONS = [
  'target',
  'module',
  'moduleResolution',
  'moduleDetection',
  'jsx',
  'jsxImportSource',
  'importHelpers',
  'strict',
  'alwaysStrict',
  'noFallthroughCasesInSwitch',
  'allowUnusedLabels',
  'allowUnreachableCode',
] as const;

const DECLARATION_IN_NODE_MODULES = /[\\/]node_modules[\\/].*\.d\.[cm]?ts$/;

/** Declaration files from node_modules, parsed once per test worker (they do not change during a run). */
const declarations = new Map<string, ts.SourceFile>();

/**
 * `ts.createProgram`, with the declaration files under node_modules (TypeScript's lib files, @types/node, the
 * SDKs, zod: hundreds of files and most of a program's parse) shared between the programs of a test worker, the
 * way an editor's language service shares them between projects. Diagnostics are the program's own.
 */
export function createProgram(rootNames: readonly string[], options: ts.CompilerOptions): ts.Program {
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  const settings = JSON.stringify(FILE_AFFECTING_OPTIONS.map((name) => options[name]));
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    if (shouldCreateNewSourceFile || !DECLARATION_IN_NODE_MODULES.test(fileName)) return parse(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
    const format =
      typeof languageVersionOrOptions === 'object'
        ? [languageVersionOrOptions.languageVersion, languageVersionOrOptions.impliedNodeFormat, languageVersionOrOptions.jsDocParsingMode]
        : [languageVersionOrOptions];
    const key = `${settings} ${JSON.stringify(format)} ${fileName}`;
    let file = declarations.get(key);
    if (!file) {
      file = parse(fileName, languageVersionOrOptions, onError);
      if (file) declarations.set(key, file);
    }
    return file;
  };
  return ts.createProgram({ rootNames, options, host });
}
