import { renderTemplate } from './render.js';

/** Language of the generated module: TypeScript, or ESM JavaScript with JSDoc types. */
export type HandleStoreLanguage = 'ts' | 'js';
/** The store the generated module uses when MCP_HANDLE_STORE is unset. */
export type HandleStoreBackend = 'memory' | 'redis';

/** Options of {@link renderHandleStore}. */
export interface HandleStoreRenderOptions {
  language: HandleStoreLanguage;
  /** Default backend: `memory` (one process) or `redis` (replicas share handles; the project needs `ioredis`). */
  store: HandleStoreBackend;
}

/** Where `migrate` and `new` put the module when the project does not say otherwise. */
export const HANDLE_STORE_DEFAULT_PATH = 'src/handle-store.ts';

/** {@link HANDLE_STORE_DEFAULT_PATH} for either language. */
export function handleStoreDefaultPath(language: HandleStoreLanguage): string {
  return language === 'ts' ? HANDLE_STORE_DEFAULT_PATH : HANDLE_STORE_DEFAULT_PATH.replace(/\.ts$/, '.js');
}

/** The template each language is rendered from (two sources: the JavaScript one carries JSDoc types instead). */
const TEMPLATES: Record<HandleStoreLanguage, string> = {
  ts: 'handle-store/handle-store.ts.hbs',
  js: 'handle-store/handle-store.js.hbs',
};

/**
 * The handle-store runtime module written into projects: mint/resolve/update/destroy of principal-bound
 * handles with sliding lifetimes, memory and Redis stores, `principalOf`, and tool-error helpers.
 * Depends on nothing but Node (and `ioredis`, loaded only when Redis is used).
 */
export function renderHandleStore(options: HandleStoreRenderOptions): string {
  if (!(options.language in TEMPLATES)) throw new Error(`unknown handle-store language "${options.language}"`);
  if (options.store !== 'memory' && options.store !== 'redis') throw new Error(`unknown handle-store backend "${options.store}"`);
  return renderTemplate(TEMPLATES[options.language], { store: options.store, redis: options.store === 'redis' });
}
