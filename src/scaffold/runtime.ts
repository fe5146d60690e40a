import { renderHandleStore, type HandleStoreLanguage } from '../templates/handle-store.js';
import type { StoreChoice } from './new-options.js';

/**
 * The handle-store runtime module, rendered by the same renderer `migrate` uses, so generated and
 * migrated projects run the same code: principal-bound handles, sliding TTL, memory and Redis.
 */
export function handleStoreModule(store: StoreChoice, language: HandleStoreLanguage = 'ts', redis = true): string {
  return renderHandleStore({ language, store, redis });
}
