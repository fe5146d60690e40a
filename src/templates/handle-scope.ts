import { ts } from 'ts-morph';
import { RELEASE_METHODS } from '../rules/scope-state.js';
import { renderTemplate } from './render.js';
import type { HandleStoreLanguage } from './handle-store.js';

/**
 * The handle-scope runtime module written next to the handle store: one record per conversation behind an
 * explicit handle, made current for the duration of each tool call (see templates/handle-scope). One
 * TypeScript source; JavaScript projects get it with the types stripped.
 */
export function renderHandleScope(options: {
  language: HandleStoreLanguage;
  storeSpecifier: string;
  /** Whether the SDK release the server uses has structured tool output (`structuredContent`, `outputSchema`); default true. */
  structuredOutput?: boolean;
}): string {
  const source = renderTemplate('handle-scope/handle-scope.ts.hbs', {
    storeSpecifier: options.storeSpecifier,
    structuredOutput: options.structuredOutput ?? true,
    releaseMethods: RELEASE_METHODS,
  });
  if (options.language === 'ts') return source;
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
  });
  return outputText;
}
