import type { API, FileInfo, Options } from 'jscodeshift';
import { transformFiles } from './run-transforms.js';
import type { OptionValues, Transform } from './transform.js';

/**
 * Wrap a transform as a jscodeshift module (`export default`), so ecosystem runners (jscodeshift's CLI,
 * codemod registries) can apply it file by file. A runner sees one file at a time: cross-file state
 * (a Map exported from one module and used in another) is only handled by `mcp-sessionless migrate`.
 * Transform options are read from the runner's options (`--store=redis`); markers go to `api.report`.
 */
export function toJscodeshift(transform: Transform) {
  return function jscodeshiftEntry(file: FileInfo, api: API, options: Options): string {
    const values: Record<string, string | boolean> = {};
    for (const option of transform.options ?? []) {
      const given: unknown = options[option.name];
      if (typeof given === 'string' || typeof given === 'boolean') values[option.name] = given;
    }
    const path = file.path.replace(/\\/g, '/').replace(/^\.?\//, '');
    const result = transformFiles({ [path]: file.source }, { transforms: [transform], options: { [transform.id]: values as OptionValues } });
    // jscodeshift's runner provides report(); its test utilities do not.
    const report = (message: string) => (typeof api.report === 'function' ? api.report(message) : undefined);
    for (const d of result.diagnostics) report(`${d.file}:${d.line}:${d.column} ${d.rule} ${d.message}`);
    if (result.diagnostics.some((d) => d.level === 'error')) throw new Error(result.diagnostics.find((d) => d.level === 'error')?.message);
    // Files emitted beside the edit (the handle store) cannot be written through jscodeshift's one-file API.
    if (result.emitted.length > 0) report(`also needs ${result.emitted.join(', ')}: run mcp-sessionless migrate to write it`);
    // Returning the source unchanged is how jscodeshift counts a file as "unmodified".
    return result.changed[path] ?? file.source;
  };
}
