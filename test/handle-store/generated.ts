import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { renderHandleStore, type HandleStoreBackend, type HandleStoreLanguage } from '../../src/templates/handle-store.js';
import { createProgram } from '../helpers/typescript.js';

/**
 * Test plumbing: the rendered handle-store module written under test/.tmp (inside the repository,
 * so the project's node_modules resolve from it), type-checked with the compiler API and imported.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A declared handle kind, as the rendered module returns it. */
export interface Kind<T> {
  readonly name: string;
  readonly noun: string;
  readonly idParam: string;
  readonly creator: string;
  readonly ttlSeconds: number;
  readonly serializable: boolean;
  dispose?(value: T): void | Promise<void>;
}

export interface Store {
  readonly backend: 'memory' | 'redis';
  mint<T>(kind: Kind<T>, value: T, principal: string): Promise<string>;
  resolve<T>(kind: Kind<T>, id: string, principal: string): Promise<T>;
  update<T>(kind: Kind<T>, id: string, principal: string, change: (value: T) => T): Promise<T>;
  destroy<T>(kind: Kind<T>, id: string, principal: string): Promise<void>;
  close(): Promise<void>;
}

export interface RedisLike {
  call(command: string, args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
}

interface StoreOptions {
  maxHandlesPerPrincipal?: number;
  maxBytesPerPrincipal?: number;
  timeoutMs?: number;
  onRedisError?: (message: string) => void;
  onDisposeError?: (error: unknown, kind: Kind<unknown>) => void;
  redis?: RedisLike;
  url?: string;
  keyPrefix?: string;
  env?: Record<string, string | undefined>;
  backend?: 'memory' | 'redis';
}

/**
 * The rendered module's surface as these tests call it. The module itself is type-checked by tsc
 * (typecheck.test.ts); this interface only types the dynamic import.
 */
export interface Runtime {
  defineHandleKind<T>(spec: Omit<Kind<T>, 'noun'> & { noun?: string }): Kind<T>;
  createMemoryHandleStore(options?: StoreOptions): Store;
  createRedisHandleStore(options?: StoreOptions): Store;
  createHandleStore(options?: StoreOptions): Store;
  handles: Store;
  HandleError: new (kind: string, handle: string, message: string) => Error & { code: string; kind: string; handle: string };
  ANONYMOUS_PRINCIPAL: string;
  principalOf(source: unknown): string;
  describeLifetime(kind: Kind<never>): string;
  describeHandleParam(kind: Kind<never>): string;
  toolError(text: string): unknown;
  handleErrorResult(error: unknown): unknown;
  warnIfSharedPrincipal(host: string, authenticated: boolean, log?: (line: string) => void): void;
  withHandleErrors<A extends unknown[], R>(handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<unknown>;
}

export interface Variant {
  language: HandleStoreLanguage;
  store: HandleStoreBackend;
}

export const VARIANTS: readonly Variant[] = [
  { language: 'ts', store: 'memory' },
  { language: 'ts', store: 'redis' },
  { language: 'js', store: 'memory' },
  { language: 'js', store: 'redis' },
];

/** A fresh folder under test/.tmp, removed by `remove()`. */
export function scratchDir(label: string): { dir: string; remove(): void } {
  const dir = join(REPO_ROOT, 'test', '.tmp', `${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a file, creating its folder. */
export function writeFile(path: string, content: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Render one variant to `<dir>/<language>-<store>/handle-store.<language>` and return the file path. */
export function renderVariant(dir: string, variant: Variant): string {
  return writeFile(join(dir, `${variant.language}-${variant.store}`, `handle-store.${variant.language}`), renderHandleStore(variant));
}

/** Import a rendered module (vitest transforms TypeScript; JavaScript is loaded as plain ESM). */
export async function importRuntime(path: string): Promise<Runtime> {
  return (await import(pathToFileURL(path).href)) as Runtime;
}

/** The strictest settings a user project is likely to have; generated code must pass all of them. */
export const STRICT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  noUncheckedIndexedAccess: true,
  noPropertyAccessFromIndexSignature: true,
  exactOptionalPropertyTypes: true,
  useUnknownInCatchVariables: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  // Node's type stripping runs TypeScript files only without enums, namespaces and parameter properties.
  erasableSyntaxOnly: true,
  skipLibCheck: true,
  noEmit: true,
};

/** Type-check files (and what they import) and return formatted diagnostics; empty means clean. */
export function typecheck(files: readonly string[], options: ts.CompilerOptions = STRICT_OPTIONS): string[] {
  const program = createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName}:${line + 1}:${character + 1} ${text}`;
  });
}
