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

/** Walk up from `start` to the nearest package.json folder and look for a configured formatter there. */
export function findProjectFormatter(start: string): ProjectFormatter | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkgPath = join(dir, 'package.json');
    if (existsSync(pkgPath)) return formatterIn(dir, pkgPath);
    if (dirname(dir) === dir) return undefined;
  }
}

function formatterIn(dir: string, pkgPath: string): ProjectFormatter | undefined {
  const binDir = join(dir, 'node_modules', '.bin');
  if (BIOME_CONFIGS.some((f) => existsSync(join(dir, f))) && existsSync(join(binDir, 'biome'))) {
    return { name: 'biome', bin: join(binDir, 'biome'), args: (p) => ['format', `--stdin-file-path=${p}`] };
  }
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { prettier?: unknown };
  if ((pkg.prettier !== undefined || PRETTIER_CONFIGS.some((f) => existsSync(join(dir, f)))) && existsSync(join(binDir, 'prettier'))) {
    return { name: 'prettier', bin: join(binDir, 'prettier'), args: (p) => ['--stdin-filepath', p] };
  }
  return undefined;
}

/** Format text through the formatter's stdin mode, so dry run and write see the same result. */
export function formatText(formatter: ProjectFormatter, filePath: string, text: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(formatter.bin, formatter.args(filePath), { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${formatter.name} failed on ${filePath}: ${(stderr || error.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
    child.stdin?.end(text);
  });
}
