import { HANDLE_STORE_DEFAULT_PATH } from '../templates/handle-store.js';
import type { NewProjectOptions } from './new-options.js';

/** One file of a generated project: which template renders it, where it goes, and when it is included. */
export interface ManifestEntry {
  /** Path under templates/new. */
  template: string;
  /** Path in the generated project. */
  path: string;
  when?: (options: NewProjectOptions) => boolean;
}

const http = (o: NewProjectOptions) => o.transport !== 'stdio';
const stdio = (o: NewProjectOptions) => o.transport !== 'http';

/**
 * Every file `new` writes from templates/new. The handle store runtime and the example handle
 * family come from their own renderers (the same ones `migrate` and `add handle` use).
 */
export const NEW_PROJECT_FILES: readonly ManifestEntry[] = [
  { template: 'package.json.hbs', path: 'package.json' },
  { template: 'tsconfig.json.hbs', path: 'tsconfig.json' },
  { template: 'tsconfig.build.json.hbs', path: 'tsconfig.build.json' },
  { template: 'vitest.config.ts.hbs', path: 'vitest.config.ts' },
  { template: 'gitignore.hbs', path: '.gitignore' },
  { template: 'env.example.hbs', path: '.env.example' },
  { template: 'README.md.hbs', path: 'README.md' },
  { template: 'src/config.ts.hbs', path: 'src/config.ts', when: http },
  { template: 'src/lifecycle.ts.hbs', path: 'src/lifecycle.ts' },
  { template: 'src/server.ts.hbs', path: 'src/server.ts' },
  { template: 'src/auth.ts.hbs', path: 'src/auth.ts', when: (o) => o.auth === 'bearer' },
  // Express brings its own middleware for the same checks; node:http and Hono share one fetch-shaped endpoint.
  { template: 'src/endpoint.ts.hbs', path: 'src/endpoint.ts', when: (o) => http(o) && (o.framework === 'node' || o.framework === 'hono') },
  { template: 'src/http.node.ts.hbs', path: 'src/http.ts', when: (o) => http(o) && o.framework === 'node' },
  { template: 'src/http.express.ts.hbs', path: 'src/http.ts', when: (o) => http(o) && o.framework === 'express' },
  { template: 'src/http.hono.ts.hbs', path: 'src/http.ts', when: (o) => http(o) && o.framework === 'hono' },
  { template: 'src/stdio.ts.hbs', path: 'src/stdio.ts', when: stdio },
  { template: 'test/helpers.ts.hbs', path: 'test/helpers.ts' },
  { template: 'test/server.test.ts.hbs', path: 'test/server.test.ts' },
];

/** Paths inside a generated project that other generators rely on. */
export const PROJECT_PATHS = {
  /** Where `migrate` puts the runtime too. */
  handleStore: HANDLE_STORE_DEFAULT_PATH,
  server: 'src/server.ts',
  testHelpers: 'test/helpers.ts',
  familyModule: (stem: string) => `src/handles/${stem}.ts`,
  familyTest: (stem: string) => `test/${stem}.test.ts`,
} as const;

/** templates/add-handle files for one family. */
export const FAMILY_TEMPLATES = {
  module: 'add-handle/src/handles/family.ts.hbs',
  test: 'add-handle/test/family.test.ts.hbs',
} as const;
