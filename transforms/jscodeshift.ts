import type { API, FileInfo, Options } from 'jscodeshift';
import { toJscodeshift } from '../src/engine/jscodeshift.js';
import { TRANSFORMS, getTransform } from './index.js';

/**
 * jscodeshift entry point for every transform, file by file:
 *   npx jscodeshift -t node_modules/mcp-sessionless/dist/transforms/jscodeshift.js --transform=<id> src/
 * Without --transform, all transforms run in registry order. Prefer `mcp-sessionless migrate`, which also
 * sees state shared across files and writes the handle-store module.
 */
export default function transform(file: FileInfo, api: API, options: Options): string {
  const ids = typeof options.transform === 'string' ? options.transform.split(',') : TRANSFORMS.map((t) => t.id);
  let source = file.source;
  for (const id of ids) {
    const selected = getTransform(id);
    if (!selected) throw new Error(`unknown transform: ${id} (available: ${TRANSFORMS.map((t) => t.id).join(', ')})`);
    source = toJscodeshift(selected)({ ...file, source }, api, options);
  }
  return source;
}

/** jscodeshift builds its `j` API with this parser; the transforms themselves parse with TypeScript. */
export const parser = 'tsx';
