import { Node, type SourceFile } from 'ts-morph';
import { anchorOf } from '../../src/engine/markers.js';
import { relativeOf } from '../../src/engine/parse.js';
import { TRANSPORT_KEPT, transportKept } from '../../src/rules/marker-messages.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { functionsCalledBy, type ProjectLookup } from './followed.js';
import { blocked, type PhaseInput, type PhaseOutput } from './phase.js';
import type { Construction, Plumbing } from './plumbing.js';
import { factoryClosureState, sessionKeyedState, type StateFinding } from './state-guard.js';
import { type FunctionLike, markerPosition, type Resolver } from './syntax.js';

function factoryName(fn: FunctionLike): string {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName() ?? 'the factory';
  const parent = fn.getParent();
  return parent && Node.isVariableDeclaration(parent) ? parent.getName() : 'the factory';
}

/**
 * Whether a state transform already left its marker on this state: a decision handed to a person. The marker is
 * above the state, or names it first among states declined together (`a and b are used by list_all …`).
 */
export function markedAlready(finding: StateFinding): boolean {
  const above = [finding.declaration, finding.node].some(
    (node) =>
      node !== undefined &&
      anchorOf(node)
        .getLeadingCommentRanges()
        .some((range) => range.getText().includes(TODO_MARKER)),
  );
  if (above) return true;
  const text = finding.node.getSourceFile().getFullText();
  const word = new RegExp(`(?:^|[^\\w$.])${finding.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w$])`);
  return [...text.matchAll(new RegExp(`${TODO_MARKER}\\(SL\\d+\\): (.*)$`, 'gm'))].some((match) => {
    const message = match[1] ?? '';
    return !message.startsWith(TRANSPORT_KEPT) && / and .* are /.test(message.split(/[;:(]/)[0] ?? '') && word.test(message.split(/ are /)[0] ?? '');
  });
}

/** What the state guard decided: the transport stays (one marker), or it goes with notes on marked state. */
export type StateVerdict = { blocked: PhaseOutput } | { notes: string[] };

/**
 * State the rewrite would silently break (P1 session-keyed maps, P5 factory-closure state and per-connection
 * objects), looked for in this file, in the server factory and in the functions the factory builds with.
 * State that a state transform (they run first) already marked is that marker's decision: it no longer keeps the
 * transport on sessions (one decline must not keep the whole server there), and the report notes that it now
 * starts fresh per request. Unmarked state keeps the transport, with one marker naming it.
 */
export function guardState(
  input: PhaseInput,
  plumbing: Plumbing,
  resolver: Resolver,
  fn: FunctionLike | undefined,
  constructions: readonly Construction[],
  lookup: ProjectLookup,
): StateVerdict {
  const { file } = input;
  const keyed = sessionKeyedState(file, resolver, plumbing.seeds, plumbing.seeds);
  const factories = fn ? [fn, ...functionsCalledBy(fn, resolver, lookup)] : [];
  const closure = factories.flatMap((factory) => factoryClosureState(factory, resolver, lookup).map((finding) => ({ ...finding, factory })));
  for (const other of new Set(factories.map((f) => f.getSourceFile()).filter((f) => f !== file))) keyed.push(...sessionKeyedState(other, resolver, new Set(), new Set()));
  const open = [...keyed, ...closure].filter((finding) => !markedAlready(finding));
  const marked = [...keyed, ...closure].filter((finding) => markedAlready(finding));
  const notes = marked.length > 0 ? [`${names(marked)} already ${marked.length === 1 ? 'carries its' : 'carry their'} own marker; served per request, ${marked.length === 1 ? 'it starts' : 'they start'} fresh with every request until ${marked.length === 1 ? 'it gets its' : 'they get their'} handle`] : [];

  const blockers = describeBlockers(open, file);
  const [first] = constructions;
  const at = first?.node ?? open[0]?.node;
  if (blockers.length > 0 && at) return { blocked: blocked(file, [{ pos: markerPosition(at), rule: 'SL002', message: transportKept([], blockers) }]) };
  return { notes };
}

function names(found: readonly StateFinding[]): string {
  return [...new Set(found.map((f) => `\`${f.name}\``))].join(', ');
}

/** One phrase per group of blocking state: what it is, where it lives, and why per-request serving breaks it. */
function describeBlockers(found: ReadonlyArray<StateFinding & { factory?: FunctionLike }>, file: SourceFile): string[] {
  const groups = new Map<string, Array<StateFinding & { factory?: FunctionLike }>>();
  for (const finding of found) {
    const key = finding.instanceOf ? `instance:${finding.node.getStart()}` : `${finding.factory ? factoryName(finding.factory) : ''}:${relativeOf(finding.node.getSourceFile())}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.values()].map((group) => {
    const [first] = group as [StateFinding & { factory?: FunctionLike }];
    const home = first.node.getSourceFile();
    const owner = first.factory ? `\`${factoryName(first.factory)}\`` : 'the server factory';
    const elsewhere = home !== file ? ` in ${relativeOf(home)}` : '';
    const them = group.length === 1 ? 'it' : 'them';
    if (first.instanceOf) {
      return `\`${first.name}\` (a \`${first.instanceOf}\` that ${owner}${elsewhere} builds per connection and whose fields change as requests run: a server per request would start a fresh one every request)`;
    }
    if (!first.factory) return `${names(group)} (keyed by the session id${elsewhere})`;
    if (elsewhere) return `${names(group)} (state of ${owner}${elsewhere})`;
    return `${names(group)} (kept by ${owner} and changed by tools: a server per request would reset ${them})`;
  });
}
