import type { Project } from 'ts-morph';
import type { PrepareContext, TransformContext, TransformOption } from '../../src/engine/transform.js';
import { relativeOf } from '../../src/engine/parse.js';
import { DEFAULT_TTL_SECONDS } from '../../src/rules/handles-naming.js';
import { handleStoreDefaultPath, renderHandleStore, type HandleStoreBackend, type HandleStoreLanguage } from '../../src/templates/handle-store.js';

/** Options both handle transforms take (`--set <transform>.<name>=<value>`). */
export const HANDLE_OPTIONS: readonly TransformOption[] = [
  {
    name: 'store',
    description: 'Default backend of the generated handle store: memory (one process) or redis (replicas share handles); MCP_HANDLE_STORE overrides it at run time.',
    default: 'memory',
    choices: ['memory', 'redis'],
  },
  {
    name: 'handle-store-path',
    description: 'Where the handle-store module is written (project-relative); empty: src/handle-store.ts when the project has src/, else handle-store.ts next to the state.',
    default: '',
    validate: validateStorePath,
  },
  { name: 'creator-name', description: 'Name of generated creator tools; {thing} is the handle kind (cart, notebook).', default: 'create_{thing}' },
  { name: 'destroy-name', description: 'Name of generated destroy tools; {thing} is the handle kind.', default: 'destroy_{thing}' },
  { name: 'ttl', description: 'Handle lifetime in seconds of inactivity, written into each kind declaration.', default: String(DEFAULT_TTL_SECONDS), validate: validateTtl },
  {
    name: 'names',
    description: 'Thing names for state variables, overriding the naming rules: comma-separated variable=thing pairs (sessionData=workspace).',
    default: '',
  },
];

/** Node timers (which expire handles) hold at most 2^31-1 ms; the generated store refuses longer lifetimes at start. */
const MAX_TTL_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function validateTtl(value: string): string | undefined {
  const ttl = Number(value);
  if (!(ttl > 0) || ttl > MAX_TTL_SECONDS) return `must be a number of seconds above 0 and at most ${MAX_TTL_SECONDS} (what Node timers allow); got "${value}"`;
  return undefined;
}

/** A project-relative path of a .ts/.js module that stays inside the project. */
function validateStorePath(value: string): string | undefined {
  if (value === '') return undefined;
  const parts = value.replace(/\\/g, '/').split('/');
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value) || parts.includes('..')) return `must be a path inside the project (relative, no ".."); got "${value}"`;
  if (!/\.[cm]?[jt]s$/.test(value)) return `must name a .ts or .js module; got "${value}"`;
  return undefined;
}

/** Option values, parsed. */
export interface HandleOptions {
  store: HandleStoreBackend;
  storePath: string;
  creatorTemplate: string;
  destroyTemplate: string;
  ttlSeconds: number;
  names: Record<string, string>;
  /** Reads an existing file outside the group (set when planning), to tell our store from a foreign module. */
  readExisting?: (relPath: string) => string | undefined;
  /** Whether the SDK release the project pins has a feature (set when planning; everything when absent). */
  supports?: PrepareContext['supports'];
}

export function readOptions(context: Pick<TransformContext, 'options'>): HandleOptions {
  const value = (name: string) => String(context.options[name] ?? HANDLE_OPTIONS.find((o) => o.name === name)?.default ?? '');
  const ttl = Number(value('ttl'));
  const ttlRefused = validateTtl(value('ttl'));
  if (ttlRefused) throw new Error(`ttl ${ttlRefused}`);
  const store = value('store');
  if (store !== 'memory' && store !== 'redis') throw new Error(`store must be memory or redis, not "${store}"`);
  const names: Record<string, string> = {};
  for (const pair of value('names').split(',').filter(Boolean)) {
    const [variable, thing] = pair.split('=').map((s) => s.trim());
    if (variable && thing) names[variable] = thing;
  }
  return {
    store,
    storePath: value('handle-store-path'),
    creatorTemplate: value('creator-name'),
    destroyTemplate: value('destroy-name'),
    ttlSeconds: ttl,
    names,
  };
}

export function languageOf(relPath: string): HandleStoreLanguage {
  return /\.[cm]?tsx?$/.test(relPath) ? 'ts' : 'js';
}

/**
 * Where the project's handle store lives: the option, else `src/handle-store.<ext>` when the project keeps
 * its sources under src/, else next to the file holding the first piece of state. Decided once per project.
 */
export function storePathFor(project: Project, options: HandleOptions, stateFile: string): string {
  const language = languageOf(stateFile);
  if (options.storePath) {
    if (isForeign(project, options, options.storePath)) {
      throw new Error(`${options.storePath} (handle-store-path) already exists and is not the handle store mcp-sessionless writes; choose another path`);
    }
    return options.storePath;
  }
  const files = project.getSourceFiles().map(relativeOf);
  // A project whose sources all sit in one folder below src/ (`src/everything/`, its tsconfig's rootDir) keeps it there.
  const common = commonFolder(files);
  const dir = common.startsWith('src/') ? common : files.some((path) => path.startsWith('src/')) ? 'src/' : stateFile.includes('/') ? stateFile.slice(0, stateFile.lastIndexOf('/') + 1) : '';
  const name = handleStoreDefaultPath(language).replace(/^src\//, '');
  // An unrelated module already at the usual path (the project's own "handle store") is never assumed to be ours.
  for (const candidate of [name, `mcp-${name}`, `mcp-sessionless-${name}`]) {
    if (!isForeign(project, options, `${dir}${candidate}`)) return `${dir}${candidate}`;
  }
  throw new Error(`${dir}${name} and the alternatives mcp-${name}, mcp-sessionless-${name} all hold other modules; set handle-store-path`);
}

/** The deepest folder every path is in, with its trailing slash ('' for the project root). */
function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let prefix = paths[0]!.slice(0, paths[0]!.lastIndexOf('/') + 1);
  for (const path of paths) {
    while (prefix && !path.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  }
  return prefix;
}

/** Whether `path` holds a module that is not the generated handle store (absent: not foreign). */
function isForeign(project: Project, options: HandleOptions, path: string): boolean {
  const text = project.getSourceFile(`/${path}`)?.getFullText() ?? options.readExisting?.(path);
  if (text === undefined) return false;
  return !(/export const handles\b/.test(text) && /export function defineHandleKind\b/.test(text) && /export function principalOf\b/.test(text));
}

/** Write the handle-store module unless the project already has one at that path. */
export function emitStore(context: TransformContext, path: string, options: HandleOptions): void {
  if (context.fileExists(path)) return;
  // The Redis adapter stays even in a server that speaks stdio today: its factory is often served over HTTP
  // elsewhere (a second entry, a host), and MCP_HANDLE_STORE=redis must keep working there.
  context.emitFile(path, renderHandleStore({ language: languageOf(path), store: options.store }));
}
