import { posix } from 'node:path';
import type { Project, SourceFile } from 'ts-morph';
import { SDK_SOURCE_ROOT } from '../rules/transport-symbols.js';
import { sdkLineOf, type SdkLine } from '../rules/sdk.js';

/**
 * The SDK's own examples import its server classes relatively (`import { McpServer } from '../../server/mcp.js'`).
 * Such an import names a v1 server module under the SDK's source folder and the class that module exports.
 */
const SDK_SOURCE_SERVERS: Readonly<Record<string, string>> = { 'server/mcp': 'McpServer', 'server/index': 'Server' };

/** Files only the SDK's own source root has: a project's own `src/server.ts` or `src/types.ts` is not the SDK. */
const SDK_PROTOCOL_FILES = ['shared/protocol.ts', 'shared/protocol.js'];

const MODULE_FILES = ['.ts', '.js', '/index.ts', '/index.js'];

/**
 * Whether a relative import of `target` (a module path without extension under `root`, the `src` folder) reaches
 * the SDK's own sources: `root` holds the SDK's protocol module, or the target is no file of the project (the SDK's
 * examples scanned without the rest of its sources). A project's own `src/server.ts` is its own.
 */
export function isSdkSourceModule(project: Project, root: string, target: string): boolean {
  if (SDK_PROTOCOL_FILES.some((name) => project.getSourceFile(`${root}/${name}`) !== undefined)) return true;
  return MODULE_FILES.every((suffix) => project.getSourceFile(`${target}${suffix}`) === undefined);
}

function importsSdkSourceServer(file: SourceFile): boolean {
  return file.getImportDeclarations().some((declaration) => {
    const specifier = declaration.getModuleSpecifierValue();
    if (!specifier.startsWith('.')) return false;
    const target = posix.join(posix.dirname(file.getFilePath()), specifier).replace(/\.(c|m)?[jt]s$/, '');
    const marker = `/${SDK_SOURCE_ROOT.folder}/`;
    const at = target.lastIndexOf(marker);
    const exported = at >= 0 ? SDK_SOURCE_SERVERS[target.slice(at + marker.length)] : undefined;
    if (exported === undefined || !declaration.getNamedImports().some((named) => named.getName() === exported)) return false;
    return isSdkSourceModule(file.getProject(), target.slice(0, at + marker.length - 1), target);
  });
}

/** The SDK line a module imports (ESM import or CommonJS require); v2 wins when a file mixes both. */
export function detectSdkLine(file: SourceFile): SdkLine | undefined {
  let line: SdkLine | undefined;
  const specifiers = [
    ...file.getImportDeclarations().map((d) => d.getModuleSpecifierValue()),
    ...[...file.getFullText().matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? ''),
  ];
  for (const specifier of specifiers) {
    const found = sdkLineOf(specifier);
    if (found === 'v2') return 'v2';
    if (found) line = found;
  }
  return line ?? (importsSdkSourceServer(file) ? 'v1' : undefined);
}
