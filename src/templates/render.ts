import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { TEMPLATE_HELPERS } from './helpers.js';

/** Suffix of files rendered through Handlebars; other files in a template directory are copied as they are. */
export const TEMPLATE_SUFFIX = '.hbs';

/**
 * The package's own Handlebars environment: isolated from any other copy of Handlebars in the
 * process (user helpers never leak in) and given our helpers exactly once.
 */
const handlebars = Handlebars.create();
handlebars.registerHelper(TEMPLATE_HELPERS);

/** Output is source code: no HTML escaping, and a field the template needs but the data lacks is an error. */
const COMPILE_OPTIONS: CompileOptions = { noEscape: true, strict: true };
type CompileOptions = NonNullable<Parameters<typeof handlebars.compile>[1]>;

/**
 * Absolute path of the package's `templates/` folder. This module runs from `src/templates`
 * (tests), `dist/src/templates` (the build) and `node_modules/mcp-sessionless/dist/src/templates`
 * (an installed tarball), so walk up to the package root rather than counting levels.
 */
let root: string | undefined;

export function templatesRoot(): string {
  root ??= findTemplatesRoot();
  return root;
}

function findTemplatesRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (isPackageRoot(dir) && existsSync(join(dir, 'templates'))) return join(dir, 'templates');
    if (dirname(dir) === dir) throw new Error('cannot find the templates folder of mcp-sessionless');
  }
}

function isPackageRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'mcp-sessionless';
  } catch {
    return false;
  }
}

/** A template path: relative ones are under {@link templatesRoot}, absolute ones are used as they are. */
function locate(path: string): string {
  return isAbsolute(path) ? path : join(templatesRoot(), path);
}

/** Compiled templates by source: a migration renders the same store once per group of files. */
const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Render a Handlebars source string with the package's environment (strict, no escaping). `name` labels errors. */
export function renderString(source: string, data: object, name = 'template'): string {
  try {
    let template = compiled.get(source);
    if (!template) {
      template = handlebars.compile(source, COMPILE_OPTIONS);
      compiled.set(source, template);
    }
    return template(data);
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Render one template file with `data`.
 * @param relativeTemplatePath path under `templates/` (e.g. `handle-store/handle-store.ts.hbs`), or an absolute path
 */
export function renderTemplate(relativeTemplatePath: string, data: object): string {
  return renderString(readFileSync(locate(relativeTemplatePath), 'utf8'), data, relativeTemplatePath);
}

/**
 * Every file under a template directory, as sorted posix paths relative to it (template names,
 * tokens and `.hbs` suffixes still in place).
 * @param relativeDir folder under `templates/` (e.g. `new`), or an absolute path
 */
export function listTemplateFiles(relativeDir: string): string[] {
  const root = locate(relativeDir);
  const files: string[] = [];
  // A hand-written walk: recursive readdir's entry paths differ across the Node 20 minors we support.
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return files.sort();
}

/**
 * Render a whole template directory into an in-memory tree: output path → content.
 *
 * - Each path is itself a template, so path tokens work: `src/{{name}}.ts.hbs` → `src/weather.ts`.
 * - A file whose path renders to an empty segment (`{{#if redis}}redis.ts{{/if}}.hbs` with `redis` false)
 *   is left out, which is how a directory holds optional files.
 * - `.hbs` files are rendered with `data` and lose the suffix; other files are copied verbatim.
 *
 * @param relativeDir folder under `templates/`, or an absolute path
 */
export function renderTemplateDirectory(relativeDir: string, data: object): Record<string, string> {
  const root = locate(relativeDir);
  const tree: Record<string, string> = {};
  for (const templatePath of listTemplateFiles(root)) {
    const outputPath = renderString(templatePath, data, `path ${templatePath}`);
    const segments = outputPath.split('/');
    if (segments.some((segment) => segment === '' || segment === TEMPLATE_SUFFIX)) continue;
    const source = readFileSync(join(root, templatePath), 'utf8');
    if (outputPath.endsWith(TEMPLATE_SUFFIX)) {
      tree[outputPath.slice(0, -TEMPLATE_SUFFIX.length)] = renderString(source, data, join(relativeDir, templatePath));
    } else {
      tree[outputPath] = source;
    }
  }
  return tree;
}
