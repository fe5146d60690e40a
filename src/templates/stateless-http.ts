import { eraseTypes } from './erase-types.js';
import { renderTemplate } from './render.js';
import type { HandleStoreLanguage } from './handle-store.js';

/** How the generated transport module finds the SDK's types, spelled as the project imports the SDK. */
export interface StatelessHttpRenderOptions {
  language: HandleStoreLanguage;
  /** `@modelcontextprotocol/sdk/shared/transport.js` */
  transportSpecifier: string;
  /** `@modelcontextprotocol/sdk/types.js` */
  typesSpecifier: string;
}

/** The class the module exports, which the serving code constructs where the SDK's own transport would be. */
export const STATELESS_HTTP_CLASS = 'StatelessHttpTransport';

/** Base name of the module, next to the entry it serves. */
export const STATELESS_HTTP_MODULE = 'stateless-http';

/**
 * The stateless Streamable HTTP transport written into projects whose SDK release predates the SDK's own
 * (templates/stateless-http): one POST in, one JSON answer out, no session.
 */
export function renderStatelessHttp(options: StatelessHttpRenderOptions): string {
  const source = renderTemplate('stateless-http/stateless-http.ts.hbs', { transportSpecifier: options.transportSpecifier, typesSpecifier: options.typesSpecifier });
  return options.language === 'ts' ? source : eraseTypes(source);
}
