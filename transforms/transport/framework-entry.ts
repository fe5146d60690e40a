import { Node, SyntaxKind, type ObjectLiteralExpression } from 'ts-morph';
import { frameworkHttpStarts, keepsSessions, type FrameworkStart } from '../../src/analysis/frameworks.js';
import { transportKept, transportKeptBecause } from '../../src/rules/marker-messages.js';
import { markedAlready } from './http-guards.js';
import type { PhaseInput, PhaseOutput } from './phase.js';
import { sessionKeyedState } from './state-guard.js';
import { indentOf } from './style.js';
import { markerPosition, Resolver } from './syntax.js';
import { TextEdits, type MarkerRequest } from './text-edits.js';

/**
 * Servers on a framework that owns its transport and keeps the MCP sessions itself (FastMCP). There is no
 * transport code of ours to rewrite: the framework's own stateless mode is the migration (`httpStream.stateless:
 * true` builds a fresh session per request and answers GET/DELETE with 405). State keyed by the framework's
 * session id keeps the sessions, unless a state transform already marked it, like for SDK transports.
 */
export function planFrameworkEntry(input: PhaseInput): PhaseOutput | undefined {
  const { file } = input;
  const starts = frameworkHttpStarts(file).filter(keepsSessions);
  if (starts.length === 0) return undefined;
  const edits = new TextEdits(file.getFullText());
  const markers: MarkerRequest[] = [];
  const resolver = new Resolver();
  const found = sessionKeyedState(file, resolver, new Set(), new Set());
  const keyed = found.filter((finding) => !markedAlready(finding));
  const marked = found.filter((finding) => markedAlready(finding));
  for (const start of starts) {
    const at = markerPosition(start.call);
    const name = start.framework.name;
    if (keyed.length > 0) {
      const names = [...new Set(keyed.map((k) => `\`${k.name}\``))].join(', ');
      markers.push({ pos: at, rule: 'SL002', message: transportKept([`${name}'s sessions`], [`${names} (keyed by the session id)`]) });
      continue;
    }
    if (marked.length > 0) {
      const names = [...new Set(marked.map((k) => `\`${k.name}\``))].join(', ');
      markers.push({ pos: at, rule: 'SL003', level: 'info', message: `${names} (keyed by the session id) already carry their own marker; served statelessly, requests carry no session id, so they work again only once they get a handle` });
    }
    const problem = switchOn(start, edits);
    if (problem) markers.push({ pos: at, rule: 'SL002', message: transportKeptBecause(`${name} keeps sessions here, and ${problem}`, `set ${start.framework.httpOptionsKey}.${start.framework.statelessKey}: true by hand`) });
  }
  return { edits, markers, candidates: new Set(), imports: [] };
}

/** Write `stateless: true` into the start call's HTTP options; returns why it cannot when it cannot. */
function switchOn(start: FrameworkStart, edits: TextEdits): string | undefined {
  const { framework, httpOptions, stateless } = start;
  if (stateless) {
    const value = stateless.getInitializer();
    if (value?.getKind() !== SyntaxKind.FalseKeyword) return `\`${framework.statelessKey}\` is computed (${value?.getText() ?? 'no value'})`;
    edits.replaceNode(value, 'true');
    return undefined;
  }
  if (start.opaqueHttpOptions || !httpOptions) return start.opaqueHttpOptions ? `its ${framework.httpOptionsKey} options are not written inline` : `the start call has no ${framework.httpOptionsKey} options to add the switch to`;
  if (httpOptions.getProperties().some((p) => Node.isSpreadAssignment(p))) return `its ${framework.httpOptionsKey} options spread another object`;
  appendProperty(httpOptions, `${framework.statelessKey}: true`, edits);
  return undefined;
}

/** Add `text` as the last property of an object literal, on one line or on its own line, as the object is written. */
function appendProperty(object: ObjectLiteralExpression, text: string, edits: TextEdits): void {
  const properties = object.getProperties();
  const last = properties[properties.length - 1];
  const full = object.getSourceFile().getFullText();
  if (!last) {
    edits.replace(object.getStart() + 1, object.getEnd() - 1, ` ${text} `);
    return;
  }
  const afterLast = full.slice(last.getEnd(), object.getEnd() - 1);
  const trailingComma = /^\s*,/.test(afterLast);
  const commaEnd = trailingComma ? last.getEnd() + afterLast.indexOf(',') + 1 : last.getEnd();
  if (!full.slice(object.getStart(), object.getEnd()).includes('\n')) {
    edits.replace(commaEnd, commaEnd, trailingComma ? ` ${text},` : `, ${text}`);
    return;
  }
  const indent = indentOf(full, last.getStart());
  edits.replace(commaEnd, commaEnd, `${trailingComma ? '' : ','}\n${indent}${text}${trailingComma ? ',' : ''}`);
}
