import { posix } from 'node:path';
import type { SourceFile } from 'ts-morph';
import { SDK_SOURCE_ROOT } from '../rules/transport-symbols.js';
import { sdkLineOf, type SdkLine } from '../rules/sdk.js';

/**
 * The SDK's own examples import its server classes relatively (`import { McpServer } from '../../server/mcp.js'`).
 * Such an import names a v1 server module under the SDK's source folder and the class that module exports.
 */
const SDK_SOURCE_SERVERS: Readonly<Record<string, string>> = { 'server/mcp': 'McpServer', 'server/index': 'Server' };

function importsSdkSourceServer(file: SourceFile): boolean {
  return file.getImportDeclarations().some((declaration) => {
    const specifier = declaration.getModuleSpecifierValue();
    if (!specifier.startsWith('.')) return false;
    const target = posix.join(posix.dirname(file.getFilePath()), specifier).replace(/\.(c|m)?[jt]s$/, '');
    const marker = `/${SDK_SOURCE_ROOT.folder}/`;
    const subpath = target.slice(target.lastIndexOf(marker) + marker.length);
    const exported = target.includes(marker) ? SDK_SOURCE_SERVERS[subpath] : undefined;
    return exported !== undefined && declaration.getNamedImports().some((named) => named.getName() === exported);
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
