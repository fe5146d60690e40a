import type { NewProjectOptions } from './new-options.js';

/**
 * Versions written into generated package.json files: published packages only, ranges that
 * resolve on Node 20. Kept in step with this package's own devDependencies, which the scaffold
 * tests install and run.
 */
export const VERSIONS = {
  '@modelcontextprotocol/server': '^2.4.0',
  '@modelcontextprotocol/node': '^2.1.2',
  '@modelcontextprotocol/express': '^2.0.2',
  '@modelcontextprotocol/client': '^2.4.0',
  express: '^5.1.0',
  '@types/express': '^5.0.3',
  hono: '^4.9.0',
  '@hono/node-server': '^1.19.0',
  ioredis: '^5.7.0',
  zod: '^4.2.0',
  typescript: '~5.9.3',
  vitest: '^4.1.0',
  '@types/node': '^20.19.0',
} as const;

type Package = keyof typeof VERSIONS;

/** Which packages each option brings in, as data: [package, needed when]. */
const DEPENDENCIES: ReadonlyArray<[Package, (o: NewProjectOptions) => boolean]> = [
  ['@modelcontextprotocol/server', () => true],
  ['zod', () => true],
  ['@modelcontextprotocol/node', (o) => o.framework === 'node' || o.framework === 'express'],
  ['@modelcontextprotocol/express', (o) => o.framework === 'express'],
  ['express', (o) => o.framework === 'express'],
  ['hono', (o) => o.framework === 'hono'],
  ['@hono/node-server', (o) => o.framework === 'hono'],
  ['ioredis', (o) => o.store === 'redis'],
];

const DEV_DEPENDENCIES: ReadonlyArray<[Package, (o: NewProjectOptions) => boolean]> = [
  ['@modelcontextprotocol/client', () => true],
  ['@types/node', () => true],
  ['@types/express', (o) => o.framework === 'express'],
  ['typescript', () => true],
  ['vitest', () => true],
];

function pick(table: ReadonlyArray<[Package, (o: NewProjectOptions) => boolean]>, options: NewProjectOptions): Record<string, string> {
  const entries = table.filter(([, needed]) => needed(options)).map(([name]) => [name, VERSIONS[name]] as const);
  return Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));
}

export function dependenciesFor(options: NewProjectOptions): Record<string, string> {
  return pick(DEPENDENCIES, options);
}

export function devDependenciesFor(options: NewProjectOptions): Record<string, string> {
  return pick(DEV_DEPENDENCIES, options);
}
