import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
// ts-morph ships its own TypeScript (a runtime dependency); the typescript package is only a devDependency.
import { ts } from 'ts-morph';
import { discoverFiles } from '../engine/discover.js';
import { findProjectFormatter, formatText } from '../engine/formatters.js';
import type { FileChange } from '../engine/vfs.js';
import { handleStoreDefaultPath } from '../templates/handle-store.js';
import { renderTemplate } from '../templates/render.js';
import { ScaffoldError } from './errors.js';
import { familyData, familyError, fileStem, type FamilySpec } from './family.js';
import { FAMILY_TEMPLATES, PROJECT_PATHS } from './manifest.js';
import type { StoreChoice } from './new-options.js';
import type { FileMap } from './render-new.js';
import { handleStoreModule } from './runtime.js';
import { findServerSites, parseSource, wireFamily } from './server-wiring.js';
import { VERSIONS } from './versions.js';
import { planFiles, readExisting } from './writer.js';

/** What `add handle` should add, and where. */
export interface AddHandleRequest {
  /** Project root (holds package.json). */
  root: string;
  family: FamilySpec;
  /** Project-relative file that constructs the McpServer; found automatically when exactly one file does. */
  server?: string;
  /** Default backend of the handle store, when the project has none yet (default memory). */
  store?: StoreChoice;
  /** Format the written files with the project's own Prettier or Biome, when it has one (default true). */
  format?: boolean;
}

/** The files `add handle` would write and what that changes on disk. */
export interface AddHandlePlan {
  root: string;
  family: FamilySpec;
  /** The server file the family is registered in. */
  server: string;
  /** The handle-store runtime module the family uses (existing or added). */
  handleStore: string;
  /** Whether the project has the layout `new` generates (then a test file is added too). */
  generated: boolean;
  /** Desired contents of every file touched. */
  files: FileMap;
  changes: FileChange[];
  /** Things left alone on purpose, for the user to know. */
  notes: string[];
}

/** Text every copy of the handle-store runtime carries, however it got into the project (`new`, `migrate`, `add`). */
const RUNTIME_SIGNATURE = ['export function defineHandleKind', 'export const handles'];

/**
 * Plan adding a handle family to an existing v2 server, generated or hand-written: the family
 * module (create/use/destroy tools, a resource template and a prompt), its registration in the
 * server factory (through the AST), the handle-store runtime when the project has none, and, in a
 * generated project, a test file. Running it again changes nothing.
 */
export async function planAddHandle(request: AddHandleRequest): Promise<AddHandlePlan> {
  const { root, family } = request;
  const invalid = familyError(family);
  if (invalid) throw new ScaffoldError('invalid-option', invalid);
  const packageJson = readExisting(root, 'package.json');
  if (packageJson === undefined) throw new ScaffoldError('not-a-project', `${root} has no package.json; run add in the project's root folder (or pass --dir)`);

  const sources = await discoverFiles(root);
  const server = request.server ?? locateServer(root, sources);
  const serverText = readExisting(root, server);
  if (serverText === undefined) throw new ScaffoldError('server-not-found', `${server} does not exist`);
  const javascript = /\.[cm]?jsx?$/.test(server);
  const existingStore = locateHandleStore(root, sources);
  const handleStore = existingStore ?? newHandleStorePath(server, javascript);
  const generated = server === PROJECT_PATHS.server && handleStore === PROJECT_PATHS.handleStore && existsSync(join(root, PROJECT_PATHS.testHelpers));
  const stem = fileStem(family.kind);
  const modulePath = posix.join(posix.dirname(handleStore), 'handles', `${stem}${javascript ? '.js' : '.ts'}`);

  const desired: FileMap = {};
  // The family's own files: a copy the user has edited is kept, never overwritten.
  const ownFiles = new Set<string>();
  const data = familyData(family, { storeImport: specifier(modulePath, handleStore) });
  const file = parseSource(server, serverText);
  try {
    if (wireFamily(file, { registerFn: data.registerFn, familyImport: specifier(server, modulePath) }) === 'added') desired[server] = file.getFullText();
  } catch (error) {
    throw new ScaffoldError('server-not-found', `cannot register the family in ${server}: ${(error as Error).message}`);
  }
  desired[modulePath] = asLanguage(renderTemplate(FAMILY_TEMPLATES.module, data), javascript);
  ownFiles.add(modulePath);
  if (generated) {
    desired[PROJECT_PATHS.familyTest(stem)] = renderTemplate(FAMILY_TEMPLATES.test, data);
    ownFiles.add(PROJECT_PATHS.familyTest(stem));
  }
  if (!existingStore) {
    const store = request.store ?? 'memory';
    desired[handleStore] = handleStoreModule(store, javascript ? 'js' : 'ts');
  }

  const notes: string[] = [];
  const formatted = request.format === false ? desired : await formatFiles(root, desired, notes);
  const files: FileMap = {};
  for (const [path, content] of Object.entries(formatted)) {
    const existing = readExisting(root, path);
    if (ownFiles.has(path) && existing !== undefined && existing !== content) notes.push(`${path} exists with other content; kept as it is`);
    else files[path] = content;
  }
  if (!existingStore) {
    // The runtime loads ioredis only for the Redis backend; the family imports zod.
    const withDeps = addDependencies(packageJson, request.store === 'redis' ? ['zod', 'ioredis'] : ['zod']);
    if (withDeps !== packageJson) files['package.json'] = withDeps;
  }

  return { root, family, server, handleStore, generated, files, changes: planFiles(root, files), notes };
}

/** Format each file with the project's Prettier or Biome, as `migrate` does; a file that fails stays as rendered, with a note. */
async function formatFiles(root: string, files: FileMap, notes: string[]): Promise<FileMap> {
  const formatter = findProjectFormatter(root);
  if (!formatter) return files;
  const formatted: FileMap = {};
  for (const [path, content] of Object.entries(files)) {
    try {
      formatted[path] = await formatText(formatter, join(root, path), content, root);
    } catch (error) {
      formatted[path] = content;
      notes.push(`${path} not formatted: ${(error as Error).message}`);
    }
  }
  return formatted;
}

/** The one source file that constructs a v2 McpServer; an error names the candidates otherwise. */
function locateServer(root: string, sources: readonly string[]): string {
  const candidates: string[] = [];
  let v1 = false;
  for (const path of sources) {
    if (/(^|\/)(test|tests|__tests__|dist|build)\//.test(path) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(path)) continue;
    const text = readFileSync(join(root, path), 'utf8');
    if (!text.includes('McpServer')) continue;
    if (findServerSites(parseSource(path, text)).length > 0) candidates.push(path);
    else if (text.includes('@modelcontextprotocol/sdk')) v1 = true;
  }
  if (candidates.length === 1) return candidates[0] as string;
  if (candidates.length > 1) {
    throw new ScaffoldError('ambiguous-server', `several files construct an McpServer (${candidates.join(', ')}); pick one with --server <file>`);
  }
  throw new ScaffoldError(
    'server-not-found',
    v1
      ? 'this server uses the v1 SDK (@modelcontextprotocol/sdk); move it to v2 first: npx @modelcontextprotocol/codemod v1-to-v2'
      : 'no file constructs an McpServer from @modelcontextprotocol/server; pass --server <file>',
  );
}

/** The project's copy of the handle-store runtime (project-relative), if it has one. */
export async function findHandleStore(root: string): Promise<string | undefined> {
  return locateHandleStore(root, await discoverFiles(root));
}

/** The project's copy of the handle-store runtime: at the default path, or wherever a file carries its signature. */
function locateHandleStore(root: string, sources: readonly string[]): string | undefined {
  const defaults = [handleStoreDefaultPath('ts'), handleStoreDefaultPath('js')];
  const ordered = [...defaults.filter((path) => sources.includes(path)), ...sources.filter((path) => !defaults.includes(path))];
  return ordered.find((path) => {
    const text = readFileSync(join(root, path), 'utf8');
    return RUNTIME_SIGNATURE.every((marker) => text.includes(marker));
  });
}

/** Where a new runtime goes: the shared default under src/, else next to the server file. */
function newHandleStorePath(server: string, javascript: boolean): string {
  const path = handleStoreDefaultPath(javascript ? 'js' : 'ts');
  return server.startsWith('src/') ? path : posix.join(posix.dirname(server), posix.basename(path));
}

/** ESM specifier from one project file to another: `./handles/cart.js` (TypeScript resolves .js to the .ts source). */
function specifier(from: string, to: string): string {
  const relative = posix.relative(posix.dirname(from), to).replace(/\.[cm]?[jt]sx?$/, '.js');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** The TypeScript template as JavaScript for JS projects: types stripped, code otherwise as written. */
function asLanguage(typescript: string, javascript: boolean): string {
  if (!javascript) return typescript;
  return ts.transpileModule(typescript, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}

/** package.json with the given packages added to dependencies when missing, in the file's own indentation. */
function addDependencies(text: string, packages: ReadonlyArray<keyof typeof VERSIONS>): string {
  const pkg = JSON.parse(text) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  const missing = packages.filter((name) => !pkg.dependencies?.[name] && !pkg.devDependencies?.[name] && !pkg.peerDependencies?.[name]);
  if (missing.length === 0) return text;
  const dependencies = { ...pkg.dependencies };
  for (const name of missing) dependencies[name] = VERSIONS[name];
  pkg.dependencies = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  return `${JSON.stringify(pkg, null, indent)}${text.endsWith('\n') ? '\n' : ''}`;
}
