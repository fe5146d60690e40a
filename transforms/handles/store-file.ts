import type { Project } from 'ts-morph';
import type { TransformContext, TransformOption } from '../../src/engine/transform.js';
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
  },
  { name: 'creator-name', description: 'Name of generated creator tools; {thing} is the handle kind (cart, notebook).', default: 'create_{thing}' },
  { name: 'destroy-name', description: 'Name of generated destroy tools; {thing} is the handle kind.', default: 'destroy_{thing}' },
  { name: 'ttl', description: 'Handle lifetime in seconds of inactivity, written into each kind declaration.', default: String(DEFAULT_TTL_SECONDS) },
  {
    name: 'names',
    description: 'Thing names for state variables, overriding the naming rules: comma-separated variable=thing pairs (sessionData=workspace).',
    default: '',
  },
];

/** Option values, parsed. */
export interface HandleOptions {
  store: HandleStoreBackend;
  storePath: string;
  creatorTemplate: string;
  destroyTemplate: string;
  ttlSeconds: number;
  names: Record<string, string>;
}

export function readOptions(context: Pick<TransformContext, 'options'>): HandleOptions {
  const value = (name: string) => String(context.options[name] ?? HANDLE_OPTIONS.find((o) => o.name === name)?.default ?? '');
  const ttl = Number(value('ttl'));
  if (!(ttl > 0)) throw new Error(`ttl must be a positive number of seconds, not "${value('ttl')}"`);
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
  if (options.storePath) return options.storePath;
  const files = project.getSourceFiles().map(relativeOf);
  if (files.some((path) => path.startsWith('src/'))) return handleStoreDefaultPath(language);
  const dir = stateFile.includes('/') ? stateFile.slice(0, stateFile.lastIndexOf('/') + 1) : '';
  return `${dir}${handleStoreDefaultPath(language).replace(/^src\//, '')}`;
}

/** Write the handle-store module unless the project already has one at that path. */
export function emitStore(context: TransformContext, path: string, options: HandleOptions): void {
  if (context.fileExists(path)) return;
  context.emitFile(path, renderHandleStore({ language: languageOf(path), store: options.store, redis: options.store === 'redis' || !servesStdioOnly(context.project) }));
}

const STDIO_TRANSPORT = /\bStdioServerTransport\b|\bserveStdio\b/;
const HTTP_TRANSPORT = /\bStreamableHTTPServerTransport\b|\bSSEServerTransport\b|\bcreateMcpHandler\b|\btoNodeHandler\b|\bWebStandardStreamableHTTPServerTransport\b/;

/**
 * A server that only speaks stdio runs one process per client: handles can never be shared between
 * replicas, so its store has no Redis adapter (and no ioredis to install).
 */
function servesStdioOnly(project: Project): boolean {
  const texts = project.getSourceFiles().map((file) => file.getFullText());
  return texts.some((text) => STDIO_TRANSPORT.test(text)) && !texts.some((text) => HTTP_TRANSPORT.test(text));
}
