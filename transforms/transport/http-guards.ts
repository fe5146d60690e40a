import { Node, type SourceFile } from 'ts-morph';
import { resolveRelative } from '../../src/engine/components.js';
import { relativeOf } from '../../src/engine/parse.js';
import { isExported } from '../shared/exports.js';
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
  const markers: PhaseOutput['markers'] = [];
  for (const finding of keyed) {
    markers.push({
      pos: markerPosition(finding.node),
      rule: 'SL003',
      message: `\`${finding.name}\` is keyed by the session id (P1); without sessions every client would share one entry. Give it an explicit handle; the session transport stays until then.`,
    });
  }
  for (const finding of closure) {
    markers.push({
      pos: markerPosition(finding.node),
      rule: 'SL003',
      message: `\`${finding.name}\` lives in the server factory \`${fn ? factoryName(fn) : ''}\` and tool handlers change it (P5): a server per request would reset it on every request. Make it handle-keyed state, or module state if all clients may share it; the session transport stays until then.`,
    });
  }
  const [first] = constructions;
  if (elsewhere.length > 0 && first && fn) {
    markers.push({
      pos: markerPosition(first.node),
      rule: 'SL003',
      message: `the server factory \`${factoryName(fn)}\` (${relativeOf(fn.getSourceFile())}) keeps state between requests (${[...new Set(elsewhere.map((f) => f.name))].join(', ')}); the session transport stays until that state has explicit handles.`,
    });
  }
  return markers.length > 0 ? blocked(file, markers) : undefined;
}
