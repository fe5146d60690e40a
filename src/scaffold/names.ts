/**
 * Name rules for generated projects and handle kinds. Each validator returns an error message, or
 * undefined when the value is acceptable; nothing here ever rewrites a value the user typed.
 */

const NPM_NAME_MAX = 214;
const NPM_SEGMENT = /^[a-z0-9~-][a-z0-9._~-]*$/;

/** npm package-name rules (lowercase, URL-safe, optional @scope/, ≤214 chars), as `npm init` enforces them. */
export function projectNameError(name: string): string | undefined {
  if (name.trim() === '') return 'the project name cannot be empty';
  if (name !== name.trim()) return `the project name "${name}" has leading or trailing spaces`;
  if (name.length > NPM_NAME_MAX) return `the project name is ${name.length} characters long; npm allows at most ${NPM_NAME_MAX}`;
  if (name !== name.toLowerCase()) return `the project name "${name}" has uppercase letters; npm package names are lowercase`;
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (name.startsWith('@') && !scoped) return `the scoped name "${name}" must look like @scope/name`;
  const segments = scoped ? [scoped[1] ?? '', scoped[2] ?? ''] : [name];
  for (const segment of segments) {
    if (segment.startsWith('.') || segment.startsWith('_')) return `"${segment}" cannot start with "." or "_" in an npm package name`;
    if (!NPM_SEGMENT.test(segment)) return `the project name "${name}" may only contain lowercase letters, digits, "-", ".", "_" and "~"`;
  }
  if (['node_modules', 'favicon.ico'].includes(name)) return `"${name}" is a reserved npm name`;
  return undefined;
}

/**
 * The package name a folder stands for, as create-vite derives it: `./servers/Weather-Server` → `weather-server`.
 * Lowercased, spaces and characters npm refuses become "-", leading "." "_" "-" dropped. Undefined when nothing
 * valid is left (the caller then asks, or fails with the flag to pass).
 */
export function packageNameFromFolder(folder: string): string | undefined {
  const base = folder.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const name = base
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/-+$/, '');
  return name !== '' && projectNameError(name) === undefined ? name : undefined;
}

/** The folder a project is created in when no --dir is given: the name without its scope. */
export function defaultDirectory(name: string): string {
  return name.startsWith('@') ? (name.split('/')[1] ?? name) : name;
}

const KIND = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const KIND_MAX = 32;

/**
 * Names every plain object already answers to (`constructor`, `toString`, `hasOwnProperty`…): a kind whose
 * name or derived identifiers match one would look registered before it is (lookups in `{}` find them).
 */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Handle kinds become tool names (`create_<kind>`), id prefixes (`<kind>_…`) and identifiers: snake_case only. */
export function kindError(kind: string, what = 'handle kind'): string | undefined {
  if (!KIND.test(kind)) return `the ${what} "${kind}" must be snake_case: a lowercase letter, then lowercase letters, digits and single underscores`;
  if (kind.length > KIND_MAX) return `the ${what} "${kind}" is longer than ${KIND_MAX} characters`;
  const clash = [kind, camelCase(kind), plural(kind), camelCase(plural(kind))].find((name) => OBJECT_MEMBERS.has(name));
  if (clash) return `the ${what} "${kind}" gives the name "${clash}", which every JavaScript object already has (Object.prototype); choose another`;
  return undefined;
}

/** notebook_page → NotebookPage */
export function pascalCase(snake: string): string {
  return snake
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** notebook_page → notebookPage */
export function camelCase(snake: string): string {
  const pascal = pascalCase(snake);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** notebook_page → notebook page (for descriptions). */
export function words(snake: string): string {
  return snake.split('_').join(' ');
}

/** English plural of the last word, enough for tool names (note → notes, entry → entries, box → boxes). */
export function plural(snake: string): string {
  if (/[^aeiou]y$/.test(snake)) return `${snake.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(snake)) return `${snake}es`;
  return `${snake}s`;
}
