import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditProject, TODO_MARKER } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const FIXTURES = join(REPO_ROOT, 'test/batch/fixtures');
const STATE_RULES = ['SL003', 'SL004', 'SL005', 'SL006'];

interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}
interface Row {
  name: string;
  ok: boolean;
  error?: string;
  stateSites: number;
  stateSitesLeft: number;
  migrated: number;
  markers: number;
  markerReasons: { rule: string; reason: string; count: number }[];
  tsc: { before: number; after: number; introduced: Diagnostic[]; error?: string };
  idempotent: boolean;
  transport: 'yes' | 'no' | 'none';
  verify: { status: string; reason?: string };
  replay: { status: string; reason?: string };
  /** With --keep-scratch: the scratch folder the harness made (`root`) and the migrated server inside it. */
  scratch?: { root: string; server: string };
}

/** The fixture checkouts in a temp folder, each with the project's node_modules linked in as an install would. */
function checkouts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'batch-checkouts-'));
  cpSync(join(FIXTURES, 'checkouts'), dir, { recursive: true });
  for (const name of readdirSync(dir)) symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, name, 'node_modules'), 'dir');
  return dir;
}

function runBatch(dir: string, extra: string[]): Row[] {
  const out = join(dir, 'result.json');
  const run = spawnSync(process.execPath, ['scripts/batch.mjs', dir, '--manifest', join(FIXTURES, 'manifest.json'), '--json', out, ...extra], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[] }).rows;
}

/** Delete a scratch folder the harness reported, and only one that it can have made (a batch-* folder in tmpdir). */
function removeScratch(root: string): void {
  if (dirname(root) !== tmpdir() || !basename(root).startsWith('batch-')) throw new Error(`not a batch scratch folder: ${root}`);
  rmSync(root, { recursive: true, force: true });
}

/** Markers counted independently of the harness: every marker line in the migrated sources. */
function markerLines(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink() || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) count += markerLines(path);
    else if (entry.name.endsWith('.ts')) count += readFileSync(path, 'utf8').split('\n').filter((l) => l.includes(TODO_MARKER)).length;
  }
  return count;
}

describe('batch harness over two self-written servers', () => {
  let dir: string;
  let rows: Row[];

  beforeAll(() => {
    dir = checkouts();
    rows = runBatch(dir, ['--keep-scratch']);
  }, 240_000);
  afterAll(() => {
    for (const row of rows ?? []) if (row.scratch) removeScratch(row.scratch.root);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives one row per server, in manifest order', () => {
    expect(rows.map((r) => [r.name, r.ok])).toEqual([
      ['notes-http', true],
      ['kv-stdio', true],
    ]);
  });

  it('counts the state sites the audit finds in the untouched checkout', async () => {
    for (const row of rows) {
      const audit = await auditProject(join(FIXTURES, 'checkouts', row.name));
      expect(row.stateSites).toBe(audit.findings.filter((f) => STATE_RULES.includes(f.rule)).length);
    }
    // drafts keyed by extra.sessionId; the module `let db`
    expect(rows.map((r) => r.stateSites)).toEqual([1, 1]);
  });

  it('never modifies the checkouts', async () => {
    for (const row of rows) {
      const original = readFileSync(join(FIXTURES, 'checkouts', row.name, row.name === 'kv-stdio' ? 'src/index.ts' : 'src/server.ts'), 'utf8');
      const copied = readFileSync(join(dir, row.name, row.name === 'kv-stdio' ? 'src/index.ts' : 'src/server.ts'), 'utf8');
      expect(copied).toBe(original);
    }
  });

  it('counts the markers left in the migrated copy, and every site is migrated or left', () => {
    for (const row of rows) {
      expect(row.markers).toBe(markerLines(row.scratch!.server));
      expect(row.markerReasons.reduce((sum, g) => sum + g.count, 0)).toBe(row.markers);
      expect(row.migrated + row.stateSitesLeft).toBeLessThanOrEqual(row.stateSites);
      expect(row.migrated).toBeGreaterThanOrEqual(row.stateSites - row.stateSitesLeft - row.markers);
    }
  });

  it('reports idempotence, tsc before and after, the transport and verify where the manifest says how to start the server', () => {
    for (const row of rows) {
      expect(row.idempotent).toBe(true);
      expect(row.tsc.error).toBeUndefined();
      expect(row.tsc.before).toBe(0); // both fixtures type-check as written
      expect(row.tsc.introduced).toHaveLength(row.tsc.after); // from zero, every error after is introduced
    }
    const [http, stdio] = rows;
    expect(http!.transport).toBe('yes');
    expect(stdio!.transport).toBe('none');
    // The migrated stdio server, built with its own tsc and checked live by `verify`; the other has no verify entry.
    expect(stdio!.verify).toEqual({ status: 'pass', reason: 'exit 0' });
    expect(http!.verify.status).toBe('n/a');
  });

  it("replays the conversation recorded from the server as written against the migrated one", () => {
    const [http, stdio] = rows;
    // open_store, two puts and two gets answered as before, with the handle the migration introduced threaded in.
    expect(stdio!.replay).toEqual({ status: 'pass', reason: '5/5 steps' });
    expect(http!.replay).toEqual({ status: 'n/a', reason: 'no verify arguments in the manifest' });
  });

  it('turns a server that runs out of time into an error row and carries on', () => {
    const timedOut = runBatch(dir, ['--only', 'notes-http', '--timeout', '1']);
    expect(timedOut).toEqual([{ name: 'notes-http', ok: false, error: 'timeout after 1s', seconds: expect.any(Number) }]);
  });
});

describe('tsc errors introduced', () => {
  it('compares errors by file, code and message, not by count', async () => {
    const tscModule = pathToFileURL(join(REPO_ROOT, 'scripts/batch/tsc.mjs')).href;
    const { parseDiagnostics, introducedErrors } = (await import(tscModule)) as {
      parseDiagnostics: (output: string, dir: string) => Diagnostic[];
      introducedErrors: (before: Diagnostic[], after: Diagnostic[]) => Diagnostic[];
    };
    const before = parseDiagnostics("src/a.ts(3,5): error TS2304: Cannot find name 'x'.\n", '/p');
    const after = parseDiagnostics(
      [
        "src/a.ts(9,5): error TS2304: Cannot find name 'x'.", // same error, moved: not introduced
        "src/b.ts(1,1): error TS2345: Argument of type 'string' is not assignable",
        "  to parameter of type 'number'.",
      ].join('\n'),
      '/p',
    );
    // one fixed, one new: equal counts, one introduced
    expect(introducedErrors(before, after)).toEqual([
      { file: 'src/b.ts', line: 1, code: 'TS2345', message: "Argument of type 'string' is not assignable\nto parameter of type 'number'." },
    ]);
  });
});
