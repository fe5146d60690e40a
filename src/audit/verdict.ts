/**
 * What migrate does today with each finding, found by doing it: the group's files go through the migration's
 * transforms in memory and are audited again. A finding still there afterwards is not "fixable by migrate" —
 * whatever its catalog row says — and carries the decision text the migration's marker gives it. This is the
 * same computation `migrate` runs, so the audit never promises a fix the migration does not make, and a second
 * audit after `migrate --write` does not promise it again.
 */
import { TRANSFORMS } from '../../transforms/index.js';
import { setPathAliases, type PathAlias } from '../engine/module-paths.js';
import { UNKNOWN_PROJECT } from '../engine/project-facts.js';
import { analyzeProject } from '../analysis/index.js';
import { createMemoryProject, projectPath, syntaxErrors } from '../engine/parse.js';
import { transformFiles } from '../engine/run-transforms.js';
import { TRANSPORT_KEPT } from '../rules/marker-messages.js';
import { planDecisions, TRANSPORT_KINDS } from './decisions.js';
import { detectFindings } from './detectors.js';
import type { Finding } from './types.js';

/** Everything but the final marking: markers are what the verdict explains, not part of the fix. */
const FIXING = TRANSFORMS.filter((t) => t.id !== 'mark-leftovers');

/** A finding's identity across a migration, where lines move: file, kind and the state involved. */
const keyOf = (f: Finding) => `${f.file}\u0000${f.kind}\u0000${f.state ?? ''}`;

/**
 * The findings of one group with their verdict: `fixedBy` kept only where the migration removes the finding,
 * `manual` otherwise, and `decision` set where the marker left for it says more than its own message.
 */
export function withVerdicts(findings: readonly Finding[], files: Readonly<Record<string, string>>, aliases: readonly PathAlias[] = []): Finding[] {
  const automated = findings.some((f) => f.fixedBy !== 'manual');
  const migrated = automated ? migrateInMemory(files, aliases) : { findings, kept: new Map<string, string>() };
  if (!migrated) return findings.map((f) => ({ ...f, fixedBy: 'manual' }));
  const after = migrated.findings;
  const remaining = new Set(after.map(keyOf));
  const decisionOf = new Map<string, string>();
  for (const decision of planDecisions(after)) {
    for (const covered of decision.covers) {
      // Only a kept transport speaks for findings other than its own; the transport transform's own reason,
      // where it gave one, is the marker migrate leaves.
      if (!TRANSPORT_KINDS.has(covered.kind)) continue;
      decisionOf.set(keyOf(covered), migrated.kept.get(covered.file) ?? decision.message);
    }
  }
  return findings.map((finding) => {
    const key = keyOf(finding);
    const left = remaining.has(key);
    const out: Finding = { ...finding, fixedBy: left ? 'manual' : finding.fixedBy };
    const decision = left ? decisionOf.get(key) : undefined;
    if (decision) out.decision = decision;
    return out;
  });
}

/**
 * Migrate the group in memory and audit the result, with the "session transport kept" marker the transport
 * transform left per file; undefined when the migration itself failed somewhere.
 */
function migrateInMemory(files: Readonly<Record<string, string>>, aliases: readonly PathAlias[]): { findings: Finding[]; kept: Map<string, string> } | undefined {
  const result = transformFiles(files, { transforms: FIXING, facts: { ...UNKNOWN_PROJECT, aliases } });
  if (result.diagnostics.some((d) => d.level === 'error')) return undefined;
  const kept = new Map<string, string>();
  for (const d of result.diagnostics) {
    const text = d.message.replace(/^.*?@mcp-sessionless-todo\(SL\d+\): /, '');
    if (d.transform === 'stateless-transport' && text.startsWith(TRANSPORT_KEPT) && !kept.has(d.file)) kept.set(d.file, text);
  }
  const project = createMemoryProject();
  setPathAliases(project, aliases);
  const sources = Object.entries(files).map(([path, text]) => project.createSourceFile(projectPath(path), result.changed[path] ?? text, { overwrite: true }));
  const parsed = sources.filter((file) => syntaxErrors(file).length === 0);
  return { findings: detectFindings(analyzeProject(project, { files: parsed })), kept };
}
