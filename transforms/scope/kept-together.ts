/**
 * Records that state in other modules ties to, so they move with it or not at all: copies of one value kept in
 * several tool modules (a browser context a setter hands to each) move into one record together; and state another
 * module builds state of its own from, state that stays shared (an SFTP session opened on the SSH connection, a
 * channel created once on first use), stays shared with it: a record of its own would hand one conversation's
 * connection to everyone's session.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import type { Registration, ServerModel, StateVariable } from '../../src/analysis/index.js';
import { declarationsThroughImport } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { toolList } from '../handles/generate.js';
import type { findCandidates, ScopeCandidate, ScopeDecline } from './candidates.js';
import { stateList } from './record-text.js';

type Found = ReturnType<typeof findCandidates>;

/** The names a module's state keeps copies of (none: it only serves the same tools), and the other modules keeping them. */
export interface CopiedState {
  names: string[];
  modules: string[];
}

/** A module's state for the tools: a candidate record, or one declined whole. */
interface ModuleState {
  file: SourceFile;
  names: string[];
  tools: readonly Registration[];
  candidate?: ScopeCandidate;
  decline?: ScopeDecline;
}

/**
 * Module states of different modules that share a tool and a name (copies of one value), with the other modules'
 * paths; then every candidate sharing a tool with one of them, whose state goes with those copies. Declined records
 * count (a copy used outside any tool call stays shared, so the others cannot move); only candidates are returned,
 * with the first declined copy, if any.
 */
export function copiedAcrossModules(found: Found): { copies: Map<ScopeCandidate, CopiedState>; declined: ScopeDecline | undefined } {
  const states: ModuleState[] = [
    ...found.candidates.map((candidate) => ({ file: candidate.file, names: candidate.members.map((member) => member.name), tools: candidate.tools, candidate })),
    ...found.declines.flatMap((decline) => (decline.record ? [{ file: decline.node.getSourceFile(), names: decline.record.names, tools: decline.record.tools, decline }] : [])),
  ];
  const sharesTool = (a: ModuleState, b: ModuleState) => a.file !== b.file && a.tools.some((tool) => b.tools.some((other) => other.call === tool.call));
  const copied = new Map<ModuleState, CopiedState>();
  for (const state of states) {
    const others = states.filter((other) => sharesTool(state, other) && other.names.some((name) => state.names.includes(name)));
    const names = state.names.filter((name) => others.some((other) => other.names.includes(name)));
    if (others.length > 0) copied.set(state, { names, modules: [...new Set(others.map((other) => relativeOf(other.file)))] });
  }
  const copies = [...copied.keys()];
  const out = new Map<ScopeCandidate, CopiedState>();
  for (const state of states) {
    if (!state.candidate) continue;
    const own = copied.get(state);
    const sharing = copies.filter((copy) => sharesTool(state, copy));
    if (own) out.set(state.candidate, own);
    else if (sharing.length > 0) out.set(state.candidate, { names: [], modules: [...new Set(sharing.map((copy) => relativeOf(copy.file)))] });
  }
  return { copies: out, declined: copies.find((copy) => copy.decline)?.decline };
}

/** The marker of a copy (or of state serving the same tools as copies) that stays because one copy cannot move. */
export function copyMessage(candidate: ScopeCandidate, others: CopiedState, failure: string): string {
  const members = stateList(candidate.members);
  const one = candidate.members.length === 1;
  return others.names.length > 0
    ? `${members} stay${one ? 's' : ''} shared: ${toolList(others.names)} ${others.names.length === 1 ? 'is' : 'are'} kept as copies in several modules the same tools use (this one, ${others.modules.join(', ')}), which one record must take all of or none, and ${failure}; keep each value in one module that the others import, then run migrate again`
    : `${members} ${one ? 'serves' : 'serve'} the same tools as state kept as copies in ${others.modules.join(', ')}: decided with it, so no record for now`;
}

/**
 * Candidates whose state another module builds shared state from: a declined state of that module, or one it creates
 * once on first use, is written in a function that calls a function of the candidate's module reading the
 * candidate's state (`session = sftp` in `getSftp()`, which calls `getConnection()`), with the marker saying so.
 */
export function builtOnByShared(found: Found, model: ServerModel): Map<ScopeCandidate, string> {
  const out = new Map<ScopeCandidate, string>();
  const declined = found.declines.flatMap((decline: ScopeDecline) => model.states.filter((state) => state.declaration === decline.node));
  // What the process creates once, on first use, and keeps (a channel opened over the link), unless a record takes it.
  const moving = new Set(found.candidates.flatMap((candidate) => candidate.members.map((member) => member.declaration as Node)));
  const lazy = model.states.filter((state) => state.kind === 'module' && state.dependence === 'lazy-global' && !moving.has(state.declaration));
  // Each shared state's project calls are resolved once, whatever number of candidates they are checked against.
  const shared = [...declined.map((state) => ({ state, why: 'stays shared (see its marker)' })), ...lazy.map((state) => ({ state, why: 'is created once, on first use, for the whole process' }))].map((entry) => ({
    ...entry,
    callees: writersOf(entry.state).flatMap(resolvedCallees),
  }));
  for (const candidate of found.candidates) {
    const names = new Set(candidate.members.map((member) => member.name));
    for (const { state, why, callees } of shared) {
      if (state.declaration.getSourceFile() === candidate.file) continue;
      const through = callees.filter((callee) => callee.declaration.getSourceFile() === candidate.file && reads(callee.declaration, names)).map((callee) => callee.name);
      if (through.length === 0) continue;
      const members = stateList(candidate.members);
      out.set(candidate, `${members} stay${candidate.members.length === 1 ? 's' : ''} shared: ${relativeOf(state.declaration.getSourceFile())} builds ${state.name} from ${candidate.members.length === 1 ? 'it' : 'them'} (through ${through[0]}()), and ${state.name} ${why}; a record of ${candidate.members.length === 1 ? 'its' : 'their'} own would hand one conversation's ${members} to every conversation's ${state.name}`);
      break;
    }
  }
  return out;
}

/** The outermost functions of its module holding a write of the state (a callback's write counts for the function around it). */
function writersOf(state: StateVariable): Node[] {
  const out = new Set<Node>();
  for (const access of state.accesses) {
    if (access.mode !== 'write') continue;
    const outermost = access.node.getAncestors().filter((a) => Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a)).at(-1);
    if (outermost) out.add(outermost);
  }
  return [...out];
}

/** The functions `fn` calls by name, with where each is declared (through imports). */
function resolvedCallees(fn: Node): Array<{ name: string; declaration: Node }> {
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).flatMap((call) => {
    const callee = call.getExpression();
    return Node.isIdentifier(callee) ? declarationsThroughImport(callee).map((declaration) => ({ name: callee.getText(), declaration })) : [];
  });
}

/** Whether a declared function reads any of `names`. */
function reads(declaration: Node, names: ReadonlySet<string>): boolean {
  const body = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : declaration;
  return body !== undefined && body.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => names.has(id.getText()));
}
