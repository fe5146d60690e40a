import { toJscodeshift, type JscodeshiftModule } from '../src/engine/jscodeshift.js';
import { getTransform } from './index.js';

/**
 * The transforms that jscodeshift can run, one module each under `dist/jscodeshift/<id>.js`:
 *   npx jscodeshift -t node_modules/mcp-sessionless/dist/jscodeshift/<id>.js --parser=ts --extensions=ts src/
 * A jscodeshift transform sees one file and returns one file, so only transforms whose edits stay inside the
 * file they read belong here. session-state-to-handles and process-state-to-handles are left out: they follow
 * state across modules and write the handle-store module beside the edit, which only `migrate` can do.
 */
export const JSCODESHIFT_TRANSFORMS: readonly string[] = ['static-lists', 'per-request-context', 'stateless-transport', 'mark-leftovers'];

/** The jscodeshift module for one transform id (what `dist/jscodeshift/<id>.js` exports). */
export function jscodeshiftModule(id: string): JscodeshiftModule {
  const transform = JSCODESHIFT_TRANSFORMS.includes(id) ? getTransform(id) : undefined;
  if (!transform) throw new Error(`no jscodeshift module for "${id}" (available: ${JSCODESHIFT_TRANSFORMS.join(', ')})`);
  // As `migrate` does for the built-in transforms: a file the audit finds clean is left alone.
  return toJscodeshift(transform, { onlyWithFindings: true });
}
