import { familyData, NOTEBOOK, type FamilySpec } from './family.js';
import { FAMILY_TEMPLATES, NEW_PROJECT_FILES, PROJECT_PATHS } from './manifest.js';
import type { NewProjectOptions, PackageManagerChoice } from './new-options.js';
import { handleStoreModule } from './runtime.js';
import { renderTemplate } from '../templates/render.js';
import { dependenciesFor, devDependenciesFor } from './versions.js';

/** Generated files by project-relative posix path. */
export type FileMap = Record<string, string>;

/** How each package manager runs a script, installs a project, and adds a package. */
export const PACKAGE_MANAGERS: Record<PackageManagerChoice, { run: string; install: string; add: string }> = {
  npm: { run: 'npm run', install: 'npm install', add: 'npm install' },
  pnpm: { run: 'pnpm', install: 'pnpm install', add: 'pnpm add' },
  yarn: { run: 'yarn', install: 'yarn', add: 'yarn add' },
  bun: { run: 'bun run', install: 'bun install', add: 'bun add' },
};

const FRAMEWORK_NAMES = { node: 'node:http', express: 'Express', hono: 'Hono' } as const;

/** The runtime as seen from src/handles/<family>.ts in a generated project. */
const GENERATED_FAMILY_IMPORTS = { storeImport: '../handle-store.js' };

/** The families `new` writes for the chosen example. */
export function exampleFamilies(options: NewProjectOptions): FamilySpec[] {
  return options.example === 'notebook' ? [NOTEBOOK] : [];
}

/** Template data for templates/new, derived from the options alone. */
export function newProjectData(options: NewProjectOptions) {
  const families = exampleFamilies(options).map((spec) => familyData(spec, GENERATED_FAMILY_IMPORTS));
  const pm = PACKAGE_MANAGERS[options.packageManager];
  return {
    name: options.name,
    description: options.description,
    // Written inside a JSON string literal.
    jsonDescription: JSON.stringify(options.description).slice(1, -1),
    http: options.transport !== 'stdio',
    stdio: options.transport !== 'http',
    store: options.store,
    redis: options.store === 'redis',
    bearer: options.auth === 'bearer',
    framework: options.framework ?? 'none',
    frameworkName: options.framework ? FRAMEWORK_NAMES[options.framework] : 'none',
    usesEndpoint: options.framework === 'node' || options.framework === 'hono',
    // Lists never vary by caller; behind auth they still must not land in shared caches.
    listCacheScope: options.auth === 'bearer' ? 'private' : 'public',
    families,
    hasFamilies: families.length > 0,
    run: pm.run,
    install: pm.install,
    add: pm.add,
    dependencies: dependenciesFor(options),
    devDependencies: devDependenciesFor(options),
  };
}

/** Render a whole project in memory; nothing touches the disk. */
export function renderNewProject(options: NewProjectOptions): FileMap {
  const data = newProjectData(options);
  const files: FileMap = {};
  for (const entry of NEW_PROJECT_FILES) {
    if (entry.when && !entry.when(options)) continue;
    files[entry.path] = renderTemplate(`new/${entry.template}`, data);
  }
  files[PROJECT_PATHS.handleStore] = handleStoreModule(options.store, 'ts', options.transport !== 'stdio');
  for (const family of data.families) {
    files[PROJECT_PATHS.familyModule(family.file)] = renderTemplate(FAMILY_TEMPLATES.module, family);
    files[PROJECT_PATHS.familyTest(family.file)] = renderTemplate(FAMILY_TEMPLATES.test, family);
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}
