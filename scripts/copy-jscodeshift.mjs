// The jscodeshift modules are plain CommonJS files (jscodeshift require()s its transforms); they sit beside the
// compiled engine in dist/ so that `dist/jscodeshift/<id>.js` finds `dist/transforms/jscodeshift.js`.
import { cpSync } from 'node:fs';

cpSync(new URL('../jscodeshift', import.meta.url), new URL('../dist/jscodeshift', import.meta.url), { recursive: true });
