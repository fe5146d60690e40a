/**
 * Facts about the project on disk that transforms need and cannot see in the source: which SDK release it uses.
 * Read once per folder in the main thread and handed to transforms as plain data (it crosses worker threads).
 */
import { readFileSync } from 'node:fs';
import type { PathAlias } from './module-paths.js';
import { dirname, join } from 'node:path';
import { atLeast, SDK_PACKAGE_OF, type SdkPackage, type SdkVersionFact } from '../rules/sdk-features.js';

export interface ProjectFacts {
  /** The SDK packages the project uses, each with its release; a package the project does not name is absent. */
  readonly sdks: readonly SdkVersionFact[];
  /** How its modules import each other besides relative paths (tsconfig `paths`, root-relative); none when absent. */
  readonly aliases?: readonly PathAlias[];
}

/** Nothing known (memory-only runs): transforms write for the current SDK releases. */
export const UNKNOWN_PROJECT: ProjectFacts = { sdks: [] };

const PACKAGES: readonly SdkPackage[] = [...new Set(Object.values(SDK_PACKAGE_OF))];
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/**
 * Each SDK package as Node resolves it from `dir` (node_modules/<package>/package.json in `dir` or a parent),
 * else the lowest release the nearest package.json that names it allows: code must work with every release the
 * project admits.
 */
export function readProjectFacts(dir: string): ProjectFacts {
  const sdks: SdkVersionFact[] = [];
  for (const pkg of PACKAGES) {
    const fact = installedRelease(dir, pkg) ?? declaredRelease(dir, pkg);
    if (fact) sdks.push(fact);
  }
  return { sdks };
}

function installedRelease(dir: string, pkg: SdkPackage): SdkVersionFact | undefined {
  for (const folder of ancestors(dir)) {
    const version = readJson(join(folder, 'node_modules', pkg, 'package.json'))?.version;
    if (typeof version === 'string') return { package: pkg, version, source: 'installed' };
  }
  return undefined;
}

function declaredRelease(dir: string, pkg: SdkPackage): SdkVersionFact | undefined {
  for (const folder of ancestors(dir)) {
    const manifest = readJson(join(folder, 'package.json'));
    if (!manifest) continue;
    for (const field of DEPENDENCY_FIELDS) {
      const range = (manifest[field] as Record<string, unknown> | undefined)?.[pkg];
      if (typeof range !== 'string') continue;
      const version = lowestRelease(range);
      return version ? { package: pkg, version, source: 'declared' } : undefined;
    }
  }
  return undefined;
}

/**
 * The lowest release a semver range admits: `1.0.1`, `^1.0.1`, `~1.12` (1.12.0), `>=1.10 <2`, `1.x`, `a || b`,
 * `npm:@modelcontextprotocol/sdk@^1.2`. Undefined for ranges that name no release (`*`, `latest`, `workspace:*`,
 * `catalog:`, URLs): then nothing is assumed.
 */
export function lowestRelease(range: string): string | undefined {
  const spec = range.startsWith('npm:') ? range.slice(range.lastIndexOf('@') + 1) : range;
  const lows = spec
    .split('||')
    .map(lowestOfAlternative)
    .filter((v): v is string => v !== undefined);
  return lows.reduce<string | undefined>((low, v) => (low === undefined || atLeast(low, v) ? v : low), undefined);
}

const BOUND = /^(?:\^|~|>=|=|v)?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-[\w.]+)?$/;

function lowestOfAlternative(alternative: string): string | undefined {
  const hyphen = /^(\S+)\s+-\s+\S+$/.exec(alternative.trim());
  const tokens = hyphen ? [hyphen[1]!] : alternative.trim().split(/\s+/);
  for (const token of tokens) {
    if (token.startsWith('<')) continue;
    const match = BOUND.exec(token.replace(/^>(?!=)/, '>='));
    if (!match) continue;
    const number = (part: string | undefined) => (part === undefined || part === 'x' || part === '*' ? '0' : part);
    return `${match[1]}.${number(match[2])}.${number(match[3])}`;
  }
  return undefined;
}

function* ancestors(dir: string): Generator<string> {
  for (let folder = dir; ; folder = dirname(folder)) {
    yield folder;
    if (dirname(folder) === folder) return;
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
