import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project's own formatter, found by its config file and a local install (we never bring one). */
export interface ProjectFormatter {
  name: 'prettier' | 'biome';
  bin: string;
  /** Formats one file's text as the formatter would format it at `filePath`. */
  args: (filePath: string) => string[];
}

const PRETTIER_CONFIGS = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.json5',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  '.prettierrc.toml',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
  'prettier.config.ts',
];
const BIOME_CONFIGS = ['biome.json', 'biome.jsonc'];

/**
 * The formatter configured nearest to `start`, walking up to the filesystem root: in a monorepo the config often
 * sits at the root, beside the workspace's package.json, above the package being migrated, so the walk does not
 * stop at the nearest package.json. The binary is found the way Node resolves packages (nearest node_modules/.bin
 * going up), since workspaces hoist it to the root too.
 */
export function findProjectFormatter(start: string): ProjectFormatter | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const name = configuredFormatter(dir);
    if (name) {
      const bin = nearestBin(start, name);
      if (!bin) return undefined;
      return name === 'biome'
        ? { name, bin, args: (p) => ['format', `--stdin-file-path=${p}`] }
        : { name, bin, args: (p) => ['--stdin-filepath', p] };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function configuredFormatter(dir: string): ProjectFormatter['name'] | undefined {
  if (BIOME_CONFIGS.some((f) => existsSync(join(dir, f)))) return 'biome';
  if (PRETTIER_CONFIGS.some((f) => existsSync(join(dir, f)))) return 'prettier';
  const pkgPath = join(dir, 'package.json');
  if (existsSync(pkgPath)) {
    try {
      if ((JSON.parse(readFileSync(pkgPath, 'utf8')) as { prettier?: unknown }).prettier !== undefined) return 'prettier';
    } catch {
      // An unreadable package.json configures nothing; the walk goes on.
    }
  }
  return undefined;
}

function nearestBin(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const bin = join(dir, 'node_modules', '.bin', name);
    if (existsSync(bin)) return bin;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Passes before giving up on a stable result; Prettier settles in two when one pass is not enough. */
const MAX_PASSES = 3;

/**
 * Format text until the formatter leaves it unchanged: one Prettier pass is not always stable (comments that move,
 * lines that re-break), and `prettier --check` after `--write` must pass.
 */
export async function formatText(formatter: ProjectFormatter, filePath: string, text: string, cwd: string): Promise<string> {
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = await formatOnce(formatter, filePath, current, cwd);
    if (next === current) return next;
    current = next;
  }
  return current;
}

/** One pass through the formatter's stdin mode, so dry run and write see the same result. */
function formatOnce(formatter: ProjectFormatter, filePath: string, text: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(formatter.bin, formatter.args(filePath), { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${formatter.name} failed on ${filePath}: ${(stderr || error.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
    child.stdin?.end(text);
  });
}
