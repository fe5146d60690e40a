/**
 * `tsc --noEmit` over a server with its own tsconfig, its diagnostics as identities (file, code, message) so that
 * "errors introduced" compares errors, not counts: a fixed error and a new one do not cancel out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** The server's own TypeScript when installed, else the harness's. */
export function tscFor(dir, fallbackRoot) {
  const own = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  return existsSync(own) ? { bin: own, source: 'server' } : { bin: join(fallbackRoot, 'node_modules', 'typescript', 'bin', 'tsc'), source: 'harness' };
}

/** Run tsc; returns the diagnostics (errors only) or an `error` when tsc could not run at all. */
export function runTsc(dir, tsc, timeoutMs) {
  if (!existsSync(join(dir, 'tsconfig.json'))) return { error: 'no tsconfig.json' };
  const run = spawnSync(process.execPath, [tsc.bin, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 << 20,
  });
  if (run.error) return { error: `tsc: ${run.error.message}` };
  return { diagnostics: parseDiagnostics(`${run.stdout}\n${run.stderr}`, dir) };
}

const HEAD = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
const GLOBAL = /^error (TS\d+): (.*)$/;

/** tsc --pretty false output → [{ file, line, code, message }]; continuation lines join the message. */
export function parseDiagnostics(output, dir) {
  const diagnostics = [];
  for (const line of output.split('\n')) {
    const head = HEAD.exec(line);
    if (head) {
      const [, file, row, , code, message] = head;
      diagnostics.push({ file: relative(dir, resolve(dir, file)).split(sep).join('/'), line: Number(row), code, message });
      continue;
    }
    const global = GLOBAL.exec(line);
    if (global) {
      diagnostics.push({ file: '', line: 0, code: global[1], message: global[2] });
      continue;
    }
    const last = diagnostics.at(-1);
    if (last && /^\s+\S/.test(line)) last.message += `\n${line.trim()}`;
  }
  return diagnostics;
}

const identity = (d) => `${d.file}|${d.code}|${d.message}`;

/** Diagnostics after that were not there before (multiset difference by identity). */
export function introducedErrors(before, after) {
  const left = new Map();
  for (const d of before) left.set(identity(d), (left.get(identity(d)) ?? 0) + 1);
  const introduced = [];
  for (const d of after) {
    const count = left.get(identity(d)) ?? 0;
    if (count > 0) left.set(identity(d), count - 1);
    else introduced.push(d);
  }
  return introduced;
}
