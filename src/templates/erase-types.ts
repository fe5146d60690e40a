import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

const require = createRequire(import.meta.url);

/**
 * The compiler, loaded on first use: only the JavaScript module needs it, and every command that imports this
 * one (`new`, and with it `--help`, `--version`, `verify`) would otherwise load TypeScript on each start.
 */
function typescript(): typeof TsMorph.ts {
  return (require('ts-morph') as typeof TsMorph).ts;
}

/** TypeScript sources of generated modules, as JavaScript for JavaScript projects. */

/** Marks a blank line through the compiler, which keeps comments but not empty lines. */
const BLANK_LINE = '//@@blank-line@@';

/** TypeScript → ESM JavaScript with the same comments and layout (types, interfaces and type imports removed). */
export function eraseTypes(source: string): string {
  const marked = source.replace(/\n\n(?=[ \t]*\S)/g, `\n${BLANK_LINE}\n`);
  const ts = typescript();
  const { outputText } = ts.transpileModule(marked, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, useDefineForClassFields: true, removeComments: false },
  });
  // The emitter indents by four spaces; the template (and most projects) by two.
  const lines = outputText.split('\n').map((line) => (line.trim() === BLANK_LINE ? '' : line.replace(/^(?: {4})+/, (indent) => ' '.repeat(indent.length / 2))));
  // A type-only declaration leaves its blank-line mark behind: collapse runs of blank lines.
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').trimEnd()}\n`;
}
