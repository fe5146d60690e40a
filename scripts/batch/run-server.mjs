/**
 * One server of the batch, run in its own process so that a crash or a hang costs one row, not the run:
 *
 *   node scripts/batch/run-server.mjs <job.json> <result.json>
 *
 * Copies the checkout to a scratch folder (the checkout is never modified; its node_modules is linked, not
 * copied), audits, type-checks, migrates with write (past the type-check gate, whose verdict and time go in the
 * row), migrates again as a dry run (idempotence), audits and type-checks again, and writes the row's figures as
 * JSON. Uses the engine library, never the CLI's stdout.
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { countByRule, migratedSites, stateSites, total, transportFindings } from './sites.mjs';
import { addedMarkers, findMarkers, groupReasons } from './markers.mjs';
import { introducedErrors, runTsc, tscFor } from './tsc.mjs';
import { build, placeholders, record, replay, runCli, startSite } from './live.mjs';

const [jobPath, resultPath] = process.argv.slice(2);
const job = JSON.parse(await readFile(jobPath, 'utf8'));
const engine = await import(pathToFileURL(join(job.harnessRoot, 'dist', 'src', 'index.js')).href);
const row = await runServer(job, engine);
await writeFile(resultPath, JSON.stringify(row, null, 2));

async function runServer({ server, checkout, harnessRoot, tscTimeoutMs, keepScratch, verify }, engine) {
  const scratchRoot = await mkdtemp(join(tmpdir(), `batch-${server.name}-`));
  const scratchTree = join(scratchRoot, basename(checkout));
  let live;
  try {
    const modules = await copyTree(checkout, scratchTree, server.folder, harnessRoot);
    const dir = join(scratchTree, server.folder);
    const scope = { include: server.include ?? [], exclude: server.exclude ?? [] };

    const auditBefore = await engine.auditProject(dir, scope);
    const tsc = tscFor(dir, harnessRoot);
    const tscBefore = runTsc(dir, tsc, tscTimeoutMs);
    const markersBefore = await findMarkers(dir, engine.TODO_MARKER);
    // The server as written, driven through the manifest's conversation before anything changes.
    live = await liveSetup(verify, server, dir, scratchRoot, harnessRoot);
    const recording = live.ready && live.steps ? await recordOriginal(live, server, dir, scratchRoot, verify) : undefined;

    // forceWrite: the row measures what the transforms write (tsc after), and records what the gate would have held back.
    const first = await engine.migrate({ path: dir, write: true, allowDirty: true, forceWrite: true, ...scope });
    const second = await engine.migrate({ path: dir, write: false, allowDirty: true, typecheck: false, ...scope });

    const auditAfter = await engine.auditProject(dir, scope);
    const tscAfter = runTsc(dir, tsc, tscTimeoutMs);
    const markersAfter = await findMarkers(dir, engine.TODO_MARKER);
    const newMarkers = addedMarkers(markersBefore, markersAfter);

    const sitesBefore = stateSites(auditBefore.findings);
    const sitesAfter = stateSites(auditAfter.findings);
    const transportKinds = new Set(engine.TRANSPORT_KINDS);
    const transportBefore = transportFindings(auditBefore.findings, transportKinds);
    const transportAfter = transportFindings(auditAfter.findings, transportKinds);
    const verified = await runVerify(verify, live, server, dir);
    const tscFigures =
      tscBefore.error || tscAfter.error
        ? { error: tscBefore.error ?? tscAfter.error }
        : { before: tscBefore.diagnostics.length, after: tscAfter.diagnostics.length, introduced: introducedErrors(tscBefore.diagnostics, tscAfter.diagnostics) };

    return {
      name: server.name,
      ok: true,
      files: { discovered: first.stats.discovered, parsed: first.stats.parsed, changed: first.changes.length },
      findingsBefore: countByRule(auditBefore.findings),
      findingsAfter: countByRule(auditAfter.findings),
      auditErrors: auditBefore.errors.length,
      stateSites: total(sitesBefore),
      stateSitesLeft: total(sitesAfter),
      migrated: migratedSites(sitesBefore, sitesAfter, markersAfter),
      markers: markersAfter.length,
      markerReasons: groupReasons(newMarkers),
      // Each marker the migration left, for hand checks of what it asks of a person.
      markerList: newMarkers,
      tsc: { ...tscFigures, typescript: tsc.source, modules },
      idempotent: second.changes.length === 0,
      idempotenceChanges: second.changes.map((c) => c.path),
      transport: transportBefore === 0 ? 'none' : transportAfter === 0 ? 'yes' : 'no',
      transportFindings: { before: transportBefore, after: transportAfter },
      migrateErrors: first.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.file}: ${d.message}`),
      gate: gateFigures(first.typecheck),
      verify: verified,
      replay: verified.built === false ? { status: 'error', reason: 'the migrated server did not build' } : await runReplay(verify, live, server, dir, recording),
      findings: { before: auditBefore.findings, after: auditAfter.findings },
      ...(keepScratch ? { scratch: { root: scratchRoot, server: dir } } : {}),
    };
  } finally {
    await live?.close?.();
    if (!keepScratch) await rm(scratchRoot, { recursive: true, force: true });
  }
}

/**
 * What the live checks need: the placeholder values (a static site is served only for an entry that names
 * `{site}`), or why they cannot run here.
 */
async function liveSetup(verify, server, dir, scratchRoot, harnessRoot) {
  if (!verify.available) return { ready: false, reason: 'no verify command in this build' };
  if (!server.verify?.args) return { ready: false, reason: 'no verify arguments in the manifest' };
  const conversation = server.verify.conversation ? JSON.parse(await readFile(join(verify.manifestDir, server.verify.conversation), 'utf8')) : undefined;
  const uses = { ...server.verify, steps: conversation?.steps };
  const site = JSON.stringify(uses).includes('{site}') ? await startSite(join(harnessRoot, 'batch', 'site')) : undefined;
  const filler = placeholders(uses, { dir, site: site?.url ?? '', scratchRoot });
  if (filler.missing) return { ready: false, reason: filler.missing, close: site?.close };
  const env = { ...process.env, ...filler.fill(server.verify.env ?? {}) };
  return { ready: true, env, args: filler.fill(server.verify.args), steps: conversation ? filler.fill(conversation.steps) : undefined, close: site?.close };
}

/** Build the server as written and record its conversation; the recording's path, or the reason there is none. */
async function recordOriginal(live, server, dir, scratchRoot, verify) {
  const failed = build(server.verify, dir, live.env, verify.timeoutMs);
  if (failed) return { error: `building the server as written: ${failed}` };
  try {
    const path = await record({ bin: verify.bin, command: commandOf(live.args), dir, env: live.env, steps: live.steps, out: join(scratchRoot, 'conversation.json'), timeoutMs: verify.timeoutMs });
    // A step the server as written already failed proves nothing when it fails again: the row says how many.
    const recorded = JSON.parse(await readFile(path, 'utf8')).steps.slice(1);
    return { path, failedSteps: recorded.filter((step) => step.error || step.result?.isError === true).length };
  } catch (error) {
    return { error: `recording the server as written: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The server's command line: what follows `--` in the verify arguments. */
function commandOf(args) {
  const at = args.indexOf('--');
  return at === -1 ? [] : args.slice(at + 1);
}

/** The type-check gate of the write: what it found and how long it took (the time a gated write adds). */
function gateFigures(gate) {
  return {
    status: gate.status,
    ...(gate.reason ? { reason: gate.reason } : {}),
    introduced: gate.blocked.flatMap((group) => group.errors).length,
    heldBack: gate.blocked.flatMap((group) => group.files).length,
    checkedFiles: gate.projects.reduce((sum, project) => sum + project.checkedFiles, 0),
    ms: gate.durationMs,
  };
}

/**
 * Copy the checkout without node_modules, then link the server's installed node_modules into the copy. A server
 * whose dependencies cannot be installed gets the harness's own (Node types, the MCP SDK, zod), so that tsc checks
 * its code instead of stopping at the first missing type library; which one was used is part of the row.
 */
async function copyTree(from, to, folder, harnessRoot) {
  await cp(from, to, { recursive: true, filter: (source) => basename(source) !== 'node_modules' && basename(source) !== '.git' });
  const own = join(from, folder, 'node_modules');
  const modules = existsSync(own) ? own : join(harnessRoot, 'node_modules');
  await symlink(modules, join(to, folder, 'node_modules'), 'dir');
  return modules === own ? 'server' : 'harness';
}

/**
 * The verify column: `n/a` until the CLI has a `verify` command and the manifest says how to start the migrated
 * server (see ./live.mjs); then the command's exit code decides.
 */
async function runVerify(verify, live, server, dir) {
  if (!live.ready) return { status: 'n/a', reason: live.reason };
  const failed = build(server.verify, dir, live.env, verify.timeoutMs);
  if (failed) return { status: 'error', reason: failed, built: false };
  const run = await runCli(verify.bin, ['verify', ...live.args], { cwd: dir, env: live.env, timeoutMs: verify.timeoutMs });
  if (run.error) return { status: 'error', reason: run.error.message };
  return { status: run.status === 0 ? 'pass' : 'fail', reason: `exit ${run.status}` };
}

/** The replay column: the recorded conversation of the server as written, replayed against the migrated one (built by runVerify). */
async function runReplay(verify, live, server, dir, recording) {
  if (!live.ready) return { status: 'n/a', reason: live.reason };
  if (!server.verify.conversation) return { status: 'n/a', reason: 'no conversation in the manifest' };
  if (recording?.error) return { status: 'error', reason: recording.error };
  const replayed = await replay({ bin: verify.bin, recording: recording.path, command: commandOf(live.args), dir, env: live.env, timeoutMs: verify.timeoutMs });
  return recording.failedSteps > 0 ? { ...replayed, reason: `${replayed.reason}; ${recording.failedSteps} of them failed on the server as written too` } : replayed;
}
