// Renders the handle-store module the way the transforms emit it, for writing fixture outputs:
//   node test/handles/support/render-store.mjs <ts|js> <memory|redis> > path
// The template sources are transpiled on the fly (no build step needed).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(root, 'test', 'handles', '.tmp', 'render');
for (const name of ['render', 'helpers', 'handle-store']) {
  const source = readFileSync(join(root, 'src', 'templates', `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.js`), outputText);
}
const { renderHandleStore } = await import(pathToFileURL(join(out, 'handle-store.js')).href);
process.stdout.write(renderHandleStore({ language: process.argv[2] ?? 'ts', store: process.argv[3] ?? 'memory' }));
