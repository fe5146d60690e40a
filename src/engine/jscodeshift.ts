import type { API, FileInfo, Options } from 'jscodeshift';
import { transformFiles } from './run-transforms.js';
import type { OptionValues, Transform } from './transform.js';

/** A jscodeshift transform module: its default export, and the parser its `j` API is built with. */
export interface JscodeshiftModule {
  default: (file: FileInfo, api: API, options: Options) => string;
  /** The transforms parse with TypeScript themselves; `j` is built with jscodeshift's TypeScript parser too. */
  parser: 'ts';
}

/**
 * Wrap a transform as a jscodeshift module, so jscodeshift's runner (and codemod registries built on it) can
 * apply it file by file through the same engine path as `migrate --transforms <id>`. Transform options come
 * from the runner's options (`--store=redis`); diagnostics go to `api.report`; an error diagnostic throws, so
 * the runner counts the file as an error and leaves it unchanged.
 */
export function toJscodeshift(transform: Transform, settings: { onlyWithFindings?: boolean } = {}): JscodeshiftModule {
  return {
    parser: 'ts',
    default(file, api, options) {
      const values: Record<string, string | boolean> = {};
      for (const option of transform.options ?? []) {
        const given: unknown = options[option.name];
        if (typeof given === 'string' || typeof given === 'boolean') values[option.name] = given;
      }
      const path = file.path.replace(/\\/g, '/').replace(/^\.?\//, '');
      const result = transformFiles(
        { [path]: file.source },
        { transforms: [transform], options: { [transform.id]: values as OptionValues }, onlyWithFindings: settings.onlyWithFindings },
      );
      // jscodeshift's runner provides report(); its test utilities do not.
      const report = (message: string) => (typeof api.report === 'function' ? api.report(message) : undefined);
      for (const d of result.diagnostics) report(`${d.file}:${d.line}:${d.column} ${d.rule} ${d.message}`);
      const error = result.diagnostics.find((d) => d.level === 'error');
      if (error) throw new Error(error.message);
      // Returning the source unchanged is how jscodeshift counts a file as "unmodified".
      return result.changed[path] ?? file.source;
    },
  };
}
