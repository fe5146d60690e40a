import { Node, SyntaxKind, type CallExpression, type Identifier, type ParameterDeclaration, type Project, type SourceFile } from 'ts-morph';
import { relativeOf } from '../../src/engine/parse.js';
import { referencesIn } from '../shared/declarations.js';
import { isExported } from '../shared/exports.js';
import { nodesOfKind } from '../shared/file-index.js';
import { placeOf } from '../shared/place.js';
import { configuringIn, isServerClass, movedStatements } from './factory.js';
import { functionNamed, projectLookup, type ProjectLookup } from './followed.js';
import { blocked, type PhaseInput, type PhaseOutput } from './phase.js';
import { markedAlready } from './http-guards.js';
import { factoryClosureState } from './state-guard.js';
import { factoryFunction } from './snippets.js';
import { indentOf, type Style } from './style.js';
import { enclosingFunction, freshName, markerPosition, Resolver, within, type FunctionLike } from './syntax.js';
import { applyStatementActions, TextEdits, type StatementAction } from './text-edits.js';

/**
 * Starters that are handed the server (`startSSEServer(server)`, `setupSSE(app, server)`). Serving per request
 * needs a fresh, fully configured server per request, so the parameter becomes a factory and every caller
 * must pass one: a server the caller builds and configures in its own module becomes a factory function where
 * it stands (`function buildServer() { const server = new Server(…); server.setRequestHandler(…); return server; }`).
 * Its other uses (a stdio connect, another starter, closing at shutdown) keep one instance built by that
 * factory, so they behave as before. Whether a starter converts is decided once for the whole group, before
 * any file changes, since its module and its callers' modules change together or not at all.
 */

/** A starter as the decisions name it: its module, its name and the position of its server parameter. */
export interface Starter {
  key: string;
  file: string;
  name: string;
  index: number;
}

export interface StarterDecisions {
  /** `true`: the parameter becomes a factory and the callers pass one; a string: why the transport stays. */
  decisions: Map<string, true | string>;
  /** The starters that convert, for the callers' modules. */
  approved: Starter[];
  /** Set while `prepare` tries each entry: every parameter is allowed, and the starters met are collected. */
  probe?: Starter[];
}

/** The named function (a declaration or a `const` function) a server parameter belongs to. */
export function starterOf(fn: FunctionLike, parameter: ParameterDeclaration): Starter | undefined {
  let name: string | undefined;
  if (Node.isFunctionDeclaration(fn)) name = fn.getName();
  else {
    const holder = fn.getParent();
    if (holder && Node.isVariableDeclaration(holder) && holder.getInitializer() === (fn as Node) && Node.isIdentifier(holder.getNameNode())) name = holder.getName();
  }
  if (!name) return undefined;
  const file = relativeOf(fn.getSourceFile());
  const index = fn.getParameters().indexOf(parameter);
  return { key: `${file}#${name}#${index}`, file, name, index };
}

/** Whether `fn` is the starter's function. */
function isStarter(fn: FunctionLike | undefined, starter: Starter): boolean {
  if (!fn || relativeOf(fn.getSourceFile()) !== starter.file) return false;
  const parameter = fn.getParameters()[starter.index];
  return parameter !== undefined && Node.isParameterDeclaration(parameter) && starterOf(fn, parameter)?.key === starter.key;
}

/** Every call of the starter in the project, or why its callers cannot all be found. */
function callsOf(starter: Starter, files: readonly SourceFile[], resolver: Resolver, lookup: ProjectLookup): CallExpression[] | string {
  const calls: CallExpression[] = [];
  let declaration: FunctionLike | undefined;
  for (const file of files) {
    if (!file.getFullText().includes(starter.name)) continue;
    for (const id of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
      if (id.getText() !== starter.name) continue;
      const parent = id.getParentOrThrow();
      // Callers are found by name: one imported under another name is not.
      if ((Node.isImportSpecifier(parent) || Node.isExportSpecifier(parent)) && parent.getAliasNode() && namesStarter(parent, starter, lookup)) {
        return `\`${starter.name}\` is imported or exported under another name (${placeOf(id)})`;
      }
      // The declaration itself, import and export lists: names, not uses.
      if (Node.isImportSpecifier(parent) || Node.isExportSpecifier(parent) || Node.isImportClause(parent)) continue;
      if ((Node.isFunctionDeclaration(parent) || Node.isVariableDeclaration(parent)) && parent.getNameNode() === id) {
        if (relativeOf(file) === starter.file) declaration = Node.isFunctionDeclaration(parent) ? parent : (parent.getInitializer() as FunctionLike | undefined);
        continue;
      }
      if (!isStarter(functionNamed(id, resolver, lookup), starter)) continue;
      if (Node.isCallExpression(parent) && parent.getExpression() === id) calls.push(parent);
      else return `\`${starter.name}\` is used other than by calling it (${placeOf(id)})`;
    }
  }
  const statement = declaration && (Node.isFunctionDeclaration(declaration) ? declaration : declaration.getParent()?.getParent()?.getParent());
  if (calls.length === 0 && statement && isExported(statement)) return `nothing in this project calls the exported \`${starter.name}\`, so its callers, elsewhere, hand it a server`;
  return calls;
}

/**
 * A server a factory call builds (`startSse(createServer())`, or `const server = createServer()` handed on): the
 * starter is handed the factory itself (`createServer`, or `() => createServer(config)`). The variable keeps its
 * one instance for its other uses; when the starter was its only use, the declaration goes.
 */
interface CallerCall {
  kind: 'call';
  arg: Node;
  replacement: string;
  /** The declaration that only fed the starter. */
  dropped?: Node;
}

/** Whether an import or export specifier names the starter: its own module's export, or an import from that module. */
function namesStarter(specifier: Node, starter: Starter, lookup: ProjectLookup): boolean {
  const file = specifier.getSourceFile();
  const declaration = specifier.getFirstAncestor((a) => Node.isImportDeclaration(a) || Node.isExportDeclaration(a));
  const from = declaration && (Node.isImportDeclaration(declaration) || Node.isExportDeclaration(declaration)) ? declaration.getModuleSpecifierValue() : undefined;
  const module = from ? lookup.module(file, from) : file;
  return module !== undefined && relativeOf(module) === starter.file;
}

/** How one caller's server becomes a factory: its declaration, its configuration, and the uses that keep an instance. */
interface CallerServer {
  kind: 'built';
  declaration: Node;
  statement: Node;
  variable: string;
  configure: Node[];
  /** The arguments of starter calls that now pass the factory. */
  handed: Node[];
  /** Other uses (a stdio connect, another starter, a shutdown close): one instance is kept for them. */
  others: Identifier[];
}

/** The server a starter call hands over, when the caller's module builds and configures it where the call can see it. */
function callerServer(call: CallExpression, starter: Starter, resolver: Resolver, isStarterCall: (call: CallExpression) => boolean): CallerServer | CallerCall | string {
  const arg = call.getArguments()[starter.index];
  const at = `\`${starter.name}(…)\` ${placeOf(call)}`;
  if (!arg) return `${at} passes no server`;
  const made = handedFactoryCall(arg, at, resolver, isStarterCall);
  if (made) return made;
  if (!Node.isIdentifier(arg)) return `${at} is handed \`${arg.getText()}\`, not a server variable its module builds`;
  const declaration = resolver.of(arg);
  if (declaration && Node.isParameterDeclaration(declaration)) return `${at} passes on \`${arg.getText()}\`, a parameter of its own: pass a factory through by hand`;
  if (!declaration || !Node.isVariableDeclaration(declaration)) return `${at} is handed \`${arg.getText()}\`, which is not declared in its module`;
  const initializer = declaration.getInitializer();
  if (!initializer || !isServerClass(initializer, declaration.getSourceFile(), resolver)) return `${at} is handed \`${arg.getText()}\`, which is not built by an SDK server class where it is declared`;
  const statement = declaration.getParentOrThrow().getParentOrThrow();
  if (!Node.isVariableStatement(statement) || statement.getDeclarations().length !== 1) return `the server \`${arg.getText()}\` shares its declaration`;
  if (isExported(statement)) return `the server \`${arg.getText()}\` is exported, so other modules use the one instance`;
  const block = statement.getParentOrThrow();
  if (!Node.isBlock(block) && !Node.isSourceFile(block)) return `the server \`${arg.getText()}\` is not declared in a block`;
  const siblings = block.getStatements();
  const after = siblings.slice(siblings.indexOf(statement) + 1);
  const configure = configuringIn(after, declaration, undefined, resolver, (c) => isStarterCall(c) || startsSomething(c, resolver));
  const state = configurationState(configure, resolver);
  if (state) return state;
  const moved = [statement, ...configure];
  const uses = referencesIn(declaration.getSourceFile()).filter((id) => resolver.of(id)?.compilerNode === declaration.compilerNode && !moved.some((m) => within(id, m)));
  const handed: Node[] = [];
  const others: Identifier[] = [];
  const last = moved[moved.length - 1] as Node;
  for (const id of uses) {
    const parent = id.getParentOrThrow();
    if (Node.isCallExpression(parent) && parent.getArguments().includes(id) && isStarterCall(parent)) {
      handed.push(id);
      continue;
    }
    const method = Node.isPropertyAccessExpression(parent) && parent.getExpression() === id && Node.isCallExpression(parent.getParent()) ? parent.getName() : undefined;
    const argument = Node.isCallExpression(parent) && parent.getArguments().includes(id);
    // One kept instance serves what connects, closes or starts it, as the module-wide server did.
    if (!(method === 'connect' || method === 'close' || argument)) {
      return `the server \`${arg.getText()}\` is also used ${placeOf(id)}, which would not reach the servers built per request`;
    }
    if (enclosingFunction(id) === enclosingFunction(declaration) && id.getStart() < last.getEnd()) {
      return `the server \`${arg.getText()}\` is used ${placeOf(id)} before its configuration ends`;
    }
    others.push(id);
  }
  return { kind: 'built', declaration, statement, variable: arg.getText(), configure, handed, others };
}

/** The factory call behind a handed server, when there is one; undefined when the server is not built by a call. */
function handedFactoryCall(arg: Node, at: string, resolver: Resolver, isStarterCall: (call: CallExpression) => boolean): CallerCall | string | undefined {
  let built: Node = arg;
  let dropped: Node | undefined;
  if (Node.isIdentifier(arg)) {
    const declaration = resolver.of(arg);
    const initializer = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    if (!declaration || !initializer) return undefined;
    built = initializer;
    const statement = declaration.getParentOrThrow().getParentOrThrow();
    const uses = referencesIn(declaration.getSourceFile()).filter((id) => resolver.of(id)?.compilerNode === declaration.compilerNode);
    const onlyHanded = uses.every((id) => {
      const parent = id.getParent();
      return Node.isCallExpression(parent) && parent.getArguments().includes(id) && isStarterCall(parent);
    });
    if (onlyHanded && Node.isVariableStatement(statement) && statement.getDeclarations().length === 1 && !isExported(statement)) dropped = statement;
  }
  while (Node.isParenthesizedExpression(built) || Node.isAsExpression(built)) built = built.getExpression();
  if (Node.isAwaitExpression(built) && Node.isCallExpression(built.getExpression())) return `${at} is handed a server \`${built.getText()}\` waits for, and a starter builds its servers without waiting`;
  if (!Node.isCallExpression(built)) return undefined;
  const callee = built.getExpression();
  if (!Node.isIdentifier(callee)) return `${at} is handed a server from \`${callee.getText()}\`, which is not a plain function`;
  const lookup = projectLookup({ project: arg.getProject() });
  const fn = functionNamed(callee, resolver, lookup);
  if (fn && ((fn as Node & { isAsync?(): boolean }).isAsync?.() ?? false)) return `${at} is handed a server the async \`${callee.getText()}\` builds, and a starter builds its servers without waiting`;
  const state = fn ? factoryClosureState(fn, resolver, lookup).filter((f) => !markedAlready(f)) : [];
  if (state.length > 0) {
    return `\`${callee.getText()}\` keeps ${[...new Set(state.map((f) => `\`${f.name}\``))].join(', ')} for the tools it registers, which a server built per request would start over every request`;
  }
  // Arguments are evaluated again for every server: only values that cannot change.
  const args = built.getArguments();
  const fixed = args.every((a) => Node.isLiteralExpression(a) || Node.isTrueLiteral(a) || Node.isFalseLiteral(a) || (Node.isIdentifier(a) && constant(a, resolver)));
  if (!fixed) return `${at} is handed \`${built.getText()}\`, whose arguments may change before a request builds its server`;
  const bare = args.length === 0 && fn !== undefined && fn.getParameters().length === 0;
  return { kind: 'call', arg, replacement: bare ? callee.getText() : `() => ${built.getText()}`, dropped };
}

/** An identifier bound once: a `const`, a parameter or an import. */
function constant(id: Identifier, resolver: Resolver): boolean {
  const declaration = resolver.of(id);
  if (!declaration) return false;
  if (Node.isParameterDeclaration(declaration) || Node.isImportSpecifier(declaration) || Node.isImportClause(declaration)) return true;
  return Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const';
}

/**
 * Configuration that keeps state for its tools (`registerCounter(server)` with a `let count` its tool changes):
 * built once, the state lived as long as the process; built per request, it would start over every request.
 * State a state transform already marked is that marker's decision.
 */
export function configurationState(configure: readonly Node[], resolver: Resolver): string | undefined {
  for (const statement of configure) {
    const call = statement.getFirstDescendantByKind(SyntaxKind.CallExpression);
    const callee = call?.getExpression();
    if (!callee || !Node.isIdentifier(callee)) continue;
    const fn = functionNamed(callee, resolver, projectLookup({ project: statement.getProject() }));
    const found = fn ? factoryClosureState(fn, resolver, projectLookup({ project: statement.getProject() })).filter((f) => !markedAlready(f)) : [];
    const [first] = found;
    if (first) {
      const names = [...new Set(found.map((f) => `\`${f.name}\``))].join(', ');
      return `\`${callee.getText()}\` keeps ${names} for the tools it registers, which a server built per request would start over every request`;
    }
  }
  return undefined;
}

/** A call that hands the server to a function of this project that connects or listens: a starter, not configuration. */
function startsSomething(call: CallExpression, resolver: Resolver): boolean {
  const callee = call.getExpression();
  if (!Node.isIdentifier(callee)) return false;
  const fn = functionNamed(callee, resolver, projectLookup({ project: call.getProject() }));
  return fn !== undefined && /\.(connect|listen)\(|Transport\b/.test(fn.getText());
}

/** Decide, for the whole group, which starters convert. Runs the HTTP planner on each file, allowing every parameter. */
export function planStarters(project: Project, files: readonly SourceFile[], tryEntry: (file: SourceFile, probe: StarterDecisions) => void): StarterDecisions {
  const probe: StarterDecisions = { decisions: new Map(), approved: [], probe: [] };
  for (const file of files) tryEntry(file, probe);
  const out: StarterDecisions = { decisions: new Map(), approved: [] };
  const resolver = new Resolver();
  const lookup = projectLookup({ project });
  for (const starter of probe.probe ?? []) {
    const problem = starterProblem(starter, files, resolver, lookup);
    out.decisions.set(starter.key, problem ?? true);
    if (!problem) out.approved.push(starter);
  }
  return out;
}

function starterProblem(starter: Starter, files: readonly SourceFile[], resolver: Resolver, lookup: ProjectLookup): string | undefined {
  const calls = callsOf(starter, files, resolver, lookup);
  if (typeof calls === 'string') return calls;
  for (const call of calls) {
    const server = callerServer(call, starter, resolver, (c) => isStarterCallOf(c, [starter], resolver, lookup) !== undefined);
    if (typeof server === 'string') return server;
  }
  return undefined;
}

function isStarterCallOf(call: CallExpression, starters: readonly Starter[], resolver: Resolver, lookup: ProjectLookup): Starter | undefined {
  const callee = call.getExpression();
  if (!Node.isIdentifier(callee) || !starters.some((s) => s.name === callee.getText())) return undefined;
  const fn = functionNamed(callee, resolver, lookup);
  return starters.find((s) => isStarter(fn, s));
}

/** The phase for callers' modules: each server a converted starter is handed becomes a factory where it stands. */
export function planStarterCallers(input: PhaseInput): PhaseOutput | undefined {
  const approved = input.starters?.approved ?? [];
  if (approved.length === 0) return undefined;
  const { file, style } = input;
  const resolver = new Resolver();
  const lookup = projectLookup(input);
  const servers = new Map<unknown, CallerServer>();
  const factoryCalls: CallerCall[] = [];
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const starter = isStarterCallOf(call, approved, resolver, lookup);
    if (!starter) continue;
    const server = callerServer(call, starter, resolver, (c) => isStarterCallOf(c, approved, resolver, lookup) !== undefined);
    // `prepare` checked every call; a problem now means the module changed since, so it is left as it is.
    if (typeof server === 'string') return blocked(file, [{ pos: markerPosition(call), rule: 'SL002', message: server }]);
    if (server.kind === 'call') factoryCalls.push(server);
    else servers.set(server.declaration.compilerNode, server);
  }
  if (servers.size === 0 && factoryCalls.length === 0) return undefined;
  const text = file.getFullText();
  const edits = new TextEdits(text);
  const actions = new Map<unknown, { node: Node; action: StatementAction }>();
  for (const made of factoryCalls) {
    edits.replaceNode(made.arg, made.replacement);
    if (made.dropped) actions.set(made.dropped.compilerNode, { node: made.dropped, action: { kind: 'remove' } });
  }
  const taken = new Set<string>();
  const markers: PhaseOutput['markers'] = [];
  for (const server of servers.values()) {
    const name = freshName(file, ['buildServer', 'createServer', 'buildMcpServer'], taken);
    taken.add(name);
    actions.set(server.statement.compilerNode, { node: server.statement, action: { kind: 'replace', text: factoryText(server, name, text, style) } });
    for (const configure of server.configure) actions.set(configure.compilerNode, { node: configure, action: { kind: 'remove' } });
    if (server.others.length > 0) {
      const last = server.configure[server.configure.length - 1];
      const indent = indentOf(text, server.statement.getStart());
      const kept = `${indent}const ${server.variable} = ${name}()${style.semi}`;
      if (last) actions.set(last.compilerNode, { node: last, action: { kind: 'replace', text: kept } });
      else actions.set(server.statement.compilerNode, { node: server.statement, action: { kind: 'replace', text: `${factoryText(server, name, text, style)}\n\n${kept}` } });
      markers.push({
        pos: markerPosition(server.statement),
        rule: 'SL003',
        level: 'info',
        message: `the server \`${server.variable}\` is now built by \`${name}()\`, once per request for the HTTP starter; its other uses (${server.others.map((o) => placeOf(o)).join(', ')}) keep one instance built by it`,
      });
    }
    for (const handed of server.handed) edits.replaceNode(handed, name);
  }
  applyStatementActions(edits, actions);
  return { edits, markers, candidates: new Set(), imports: [] };
}

function factoryText(server: CallerServer, name: string, text: string, style: Style): string {
  const indent = indentOf(text, server.statement.getStart());
  return factoryFunction(name, movedStatements([server.statement, ...server.configure], () => indent, `${indent}${style.unit}`), server.variable, style, indent);
}
