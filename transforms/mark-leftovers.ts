import type { Node, SourceFile } from 'ts-morph';
import { analyzeProject } from '../src/analysis/index.js';
import { ANALYSIS_VOCABULARY } from '../src/analysis/vocabulary.js';
import { markedElsewhere, planDecisions } from '../src/audit/decisions.js';
import { detectFindings } from '../src/audit/detectors.js';
import type { Finding } from '../src/audit/types.js';
import { anchorOf } from '../src/engine/markers.js';
import { projectPath } from '../src/engine/parse.js';
import type { Transform } from '../src/engine/transform.js';
import { TODO_MARKER, TODO_MARKER_PATTERN } from '../src/rules/rules.js';

/**
 * Runs last: audits the group as the other transforms left it and puts one marker on every decision still open
 * (src/audit/decisions.ts: a kept transport once, a tool's listing once, each kind of state once), so a migration
 * never ends with a finding nobody was told about. A statement that already carries a marker (from the transform
 * that declined to rewrite it) gets no second one.
 */
export const markLeftoversTransform: Transform<readonly Finding[]> = {
  id: 'mark-leftovers',
  title: 'Markers for what is left',
  description:
    'Audit the migrated code and leave one @mcp-sessionless-todo marker on each remaining session dependence (gateways, auth bound to sessions, sites another transform declined), so `git grep` lists everything still to decide.',
  rules: ['SL001', 'SL002', 'SL003', 'SL004', 'SL005', 'SL006', 'SL008'],
  patterns: ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10'],
  vocabulary: ANALYSIS_VOCABULARY,
  prepare: ({ project, files }) => {
    const sources = files.map((path) => project.getSourceFileOrThrow(projectPath(path)));
    return detectFindings(analyzeProject(project, { files: sources }));
  },
  apply(context) {
    removeStaleStateMarkers(context.file, context.plan);
    const text = context.file.getFullText();
    for (const decision of planDecisions(context.plan)) {
      if (decision.at.file !== context.relPath) continue;
      // Another transform already left this decision's marker (the transport transform's reason, a state's marker).
      if (markedElsewhere(text, decision)) continue;
      const node = nodeAt(context.file, decision.at.line, decision.at.column);
      if (hasMarker(anchorOf(node))) continue;
      context.addMarker(node, decision.rule, decision.message, decision.at.pattern);
    }
  },
};

function nodeAt(file: Node, line: number, column: number): Node {
  const source = file.getSourceFile();
  const pos = source.compilerNode.getPositionOfLineAndCharacter(line - 1, column - 1);
  return source.getDescendantAtPos(pos) ?? source;
}

function hasMarker(anchor: Node): boolean {
  return anchor.getLeadingCommentRanges().some((range) => range.getText().includes(TODO_MARKER));
}

/** A state marker: `// @mcp-sessionless-todo(SL003): carts is …` on its own line, naming the state first. */
const STATE_MARKER = new RegExp(`^[ \\t]*// ${TODO_MARKER_PATTERN}\\((?:SL003|SL006)\\): \`?([A-Za-z_$][\\w$]*)\`?(?:,| is | are | lives | keeps )[^\\n]*\\n`, 'gm');

/** A state marker's reason that names a session callback: `… is used in onsessioninitialized, …`. */
const SESSION_CALLBACK_REASON = /\bused in (?:[\w/, ]*\b)?(?:onsessioninitialized|onsessionclosed)\b/;

/**
 * Markers an earlier transform left above the declaration of state that nothing depends on any more (the code
 * that used it went with the session plumbing): with no finding left about the state, its decision is gone, and
 * so is the marker.
 */
function removeStaleStateMarkers(file: SourceFile, findings: readonly Finding[]): void {
  const text = file.getFullText();
  const stale: Array<[number, number]> = [];
  for (const match of text.matchAll(STATE_MARKER)) {
    const name = match[1]!;
    const start = match.index!;
    const end = start + match[0].length;
    const declared = file.getVariableDeclaration(name);
    // Only a marker sitting right above the state's own declaration speaks for that state alone.
    if (!declared || declared.getVariableStatement()?.getStart() !== end + (/^[ \t]*/.exec(text.slice(end))?.[0].length ?? 0)) continue;
    // Only a marker whose reason was session plumbing (a session callback the transport rewrite removes).
    if (!SESSION_CALLBACK_REASON.test(match[0])) continue;
    const mentioned = findings.some((f) => f.state === name || f.group === name || f.message.startsWith(`${name} `) || f.message.includes(`\`${name}\``));
    if (!mentioned) stale.push([start, end]);
  }
  for (const [start, end] of stale.reverse()) file.replaceText([start, end], '');
}
