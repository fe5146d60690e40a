import { BUILT_IN_REGISTRY } from '../transforms/index.js';
import { migrate as migrateWith, type MigrateOptions as EngineMigrateOptions, type MigrateResult } from './engine/migrate.js';
import type { TransformRegistry } from './engine/registry.js';

/** Options of the library's `migrate`: the engine's, with the built-in transforms unless a registry is given. */
export type MigrateOptions = Omit<EngineMigrateOptions, 'registry'> & { registry?: TransformRegistry };

/** Migrate a project with the built-in transforms (or the given registry). The engine itself takes the registry. */
export function migrate(options: MigrateOptions): Promise<MigrateResult> {
  return migrateWith({ ...options, registry: options.registry ?? BUILT_IN_REGISTRY });
}
