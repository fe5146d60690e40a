// Parse-only baseline: read every source file of a tree and run TypeScript's parser over it, nothing else.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = process.argv[2];
let parsed = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.[cm]?[jt]sx?$/.test(entry.name)) {
      ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
      parsed++;
    }
  }
};
walk(root);
process.stdout.write(`${parsed}\n`);
