import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/fixtures.js';
import { createProgram } from './helpers/typescript.js';

/** Type errors of a folder with a tsconfig.json, resolved against this repository's node_modules. */
export function typeErrors(projectDir: string): string[] {
  const configPath = join(projectDir, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const program = createProgram(config.fileNames, config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('bundled examples', () => {
  for (const name of readdirSync(join(REPO_ROOT, 'examples'))) {
    it(`${name} type-checks against the real SDK`, () => {
      expect(typeErrors(join(REPO_ROOT, 'examples', name))).toEqual([]);
    });
  }
});
