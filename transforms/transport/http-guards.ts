import { Node, type SourceFile } from 'ts-morph';
import { carriesConversation } from '../../src/analysis/conversational.js';
import { analyzeProject } from '../../src/analysis/index.js';
import { resolveRelative } from '../../src/engine/components.js';
import { relativeOf } from '../../src/engine/parse.js';
import { isExported } from '../shared/exports.js';
import { transportKept } from '../../src/rules/marker-messages.js';
import { blocked, type PhaseInput, type PhaseOutput } from './phase.js';
import type { Construction, Plumbing } from './plumbing.js';
import { factoryClosureState, sessionKeyedState, type StateFinding } from './state-guard.js';
import { type FunctionLike, isFunctionLike, markerPosition, type Resolver } from './syntax.js';

/** An exported function of a module the entry imports relatively (the server factory is often in `server.ts`). */
export function exportedFunction(input: PhaseInput): (from: SourceFile, specifier: string, name: string) => FunctionLike | undefined {
  return (from, specifier, name) => {
    const known = new Set(input.project.getSourceFiles().map((f) => relativeOf(f)));
    const target = resolveRelative(relativeOf(from), specifier, known);
    const file = target ? input.project.getSourceFile(`/${target}`) : undefined;
    if (!file) return undefined;
    const fn = file.getFunction(name);
    if (fn && isExported(fn)) return fn;
    const variable = file.getVariableDeclaration(name);
    const statement = variable?.getVariableStatement();
    const initializer = statement && isExported(statement) ? variable?.getInitializer() : undefined;
    return initializer && isFunctionLike(initializer) ? initializer : undefined;
  };
}

function factoryName(fn: FunctionLike): string {
  if (Node.isFunctionDeclaration(fn)) return fn.getName() ?? 'the factory';
  const parent = fn.getParent();
  return parent && Node.isVariableDeclaration(parent) ? parent.getName() : 'the factory';
}

/**
 * Objects built with each server (a Context holding tabs, a SessionManager holding the browser sessions) whose
 * fields carry a conversation, as the shared analysis finds them: per connection today, per request after the
 * rewrite. Grouped by class.
 */
function connectionObjects(input: PhaseInput): Array<{ owner: string; fields: string[] }> {
  const byOwner = new Map<string, string[]>();
  for (const state of analyzeProject(input.project).states) {
    if (state.kind !== 'class-field' || !state.perConnectionClass || !carriesConversation(state)) continue;
    if (!state.accesses.some((access) => access.by.length > 0)) continue;
    const owner = state.ownerClass && Node.isClassDeclaration(state.ownerClass) ? (state.ownerClass.getName() ?? 'a class') : 'a class';
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), `this.${state.name}`]);
  }
  return [...byOwner].map(([owner, fields]) => ({ owner, fields }));
}

/** "`a`, `b`": the way the other blockers name their state (and how the marker tells one from many). */
function joinedNames(names: readonly string[]): string {
  return names.map((name) => `\`${name}\``).join(', ');
}

/**
 * Markers for state the rewrite would silently break (P1 session-keyed maps, P5 factory-closure state),
 * or undefined when there is none. Markers go on the state in this file; state in another file is
 * named by one marker at the first transport construction here (markers are written per file).
 */
export function guardState(input: PhaseInput, plumbing: Plumbing, resolver: Resolver, fn: FunctionLike | undefined, constructions: readonly Construction[]): PhaseOutput | undefined {
  const { file } = input;
  const keyed = sessionKeyedState(file, resolver, plumbing.seeds, plumbing.seeds);
  const closure = fn ? factoryClosureState(fn, resolver) : [];
  const elsewhere: StateFinding[] = [];
  if (fn && fn.getSourceFile() !== file) {
    elsewhere.push(...closure.splice(0), ...sessionKeyedState(fn.getSourceFile(), resolver, new Set(), new Set()));
  }
  // One marker for the transport, naming what keeps it; the state itself gets its own marker from the state
  // transforms (or mark-leftovers), at its declaration.
  const factory = fn ? `\`${factoryName(fn)}\`` : 'the server factory';
  const names = (found: readonly StateFinding[]) => [...new Set(found.map((f) => `\`${f.name}\``))].join(', ');
  const objects = connectionObjects(input);
  const blockers = [
    keyed.length > 0 ? `${names(keyed)} (keyed by the session id)` : '',
    ...objects.map(({ owner, fields }) => `${joinedNames(fields)} (fields of ${owner}, built with each server: a server per request would reset them)`),
    closure.length > 0 ? `${names(closure)} (kept by ${factory} and changed by tools: a server per request would reset ${closure.length === 1 ? 'it' : 'them'})` : '',
    elsewhere.length > 0 ? `${names(elsewhere)} (state of ${factory} in ${fn ? relativeOf(fn.getSourceFile()) : 'another file'})` : '',
  ].filter(Boolean);
  const [first] = constructions;
  const markers: PhaseOutput['markers'] = [];
  const at = first?.node ?? keyed[0]?.node ?? closure[0]?.node;
  if (blockers.length > 0 && !at && objects.length > 0) return blocked(file, []);
  if (blockers.length > 0 && at) markers.push({ pos: markerPosition(at), rule: 'SL002', message: transportKept([], blockers) });
  return markers.length > 0 ? blocked(file, markers) : undefined;
}
