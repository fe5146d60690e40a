#!/usr/bin/env node
// Thin shim: everything lives in the compiled library.
import module from 'node:module';

// Node 22.1+ caches compiled code between runs (TypeScript alone is megabytes of it); older Nodes lack it.
module.enableCompileCache?.();

const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
