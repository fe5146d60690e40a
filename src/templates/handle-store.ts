import { eraseTypes } from './erase-types.js';
import { renderTemplate } from './render.js';

/** Language of the generated module: TypeScript, or ESM JavaScript compiled from the same source. */
export type HandleStoreLanguage = 'ts' | 'js';
/** The store the generated module uses when MCP_HANDLE_STORE is unset. */
export type HandleStoreBackend = 'memory' | 'redis';

/** Options of {@link renderHandleStore}. */
export interface HandleStoreRenderOptions {
  language: HandleStoreLanguage;
  /** Default backend: `memory` (one process) or `redis` (replicas share handles; the project needs `ioredis`). */
  store: HandleStoreBackend;
  /**
   * Include the Redis adapter (default true; always with `store: 'redis'`). A stdio server runs as one
   * process per client and can never share handles between replicas, so it gets the memory store only.
   */
  redis?: boolean;
}

/** Where `migrate` and `new` put the module when the project does not say otherwise. */
export const HANDLE_STORE_DEFAULT_PATH = 'src/handle-store.ts';

/** {@link HANDLE_STORE_DEFAULT_PATH} for either language. */
export function handleStoreDefaultPath(language: HandleStoreLanguage): string {
  return language === 'ts' ? HANDLE_STORE_DEFAULT_PATH : HANDLE_STORE_DEFAULT_PATH.replace(/\.ts$/, '.js');
}

/** The one source of both languages: the JavaScript module is this TypeScript with its types erased. */
const TEMPLATE = 'handle-store/handle-store.ts.hbs';

/**
 * The handle-store runtime module written into projects: mint/resolve/update/destroy of principal-bound
 * handles with sliding lifetimes and per-principal quotas, the memory store (and the Redis one where the
 * project can use it), `principalOf`, and tool-error helpers. Depends on nothing but Node (and `ioredis`,
 * loaded only when Redis is used).
 */
export function renderHandleStore(options: HandleStoreRenderOptions): string {
  if (options.language !== 'ts' && options.language !== 'js') throw new Error(`unknown handle-store language "${options.language}"`);
  if (options.store !== 'memory' && options.store !== 'redis') throw new Error(`unknown handle-store backend "${options.store}"`);
  const redis = options.store === 'redis' || options.redis !== false;
  const typescript = renderTemplate(TEMPLATE, { store: options.store, redis, redisDefault: options.store === 'redis' });
  return options.language === 'ts' ? typescript : eraseTypes(typescript);
}
