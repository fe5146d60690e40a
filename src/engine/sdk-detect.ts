import type { SourceFile } from 'ts-morph';
import { sdkLineOf, type SdkLine } from '../rules/sdk.js';

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
  return line;
}
