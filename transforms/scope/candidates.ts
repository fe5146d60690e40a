/**
 * Which module state becomes a conversation's record (the coarse handle), and which tools and shutdown
 * handlers reach it. This is the fallback behind the fine-grained handle transforms: whatever module state
 * they left in place that tools still create, change or read between calls. Members (see ScopeMember) are module
 * variables, module singletons, objects a server factory builds, and the fields of a class that builds its own
 * server (./fields.ts); the first two shapes:
 * - a module variable (`let browser`, `let workingDirectory`, `const history = []`): its references become
 *   properties of the current record;
 * - a module singleton whose class keeps the state in fields (`export const connections = new
 *   ConnectionManager()`): the record holds the instance and the export becomes a stand-in for the current
 *   record's instance, so the modules importing it stay as they are.
 * State that resources read (console logs a page pushed, screenshots a tool stored, listed and read as
 * resources) joins the record too when `resources` is set; the record then serves those resources from
 * templates keyed by its id (see ./resources.ts), or, where it cannot, is planned again without that state.
 */
import { posix } from 'node:path';
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression, type FunctionDeclaration, type Identifier, type PropertyAccessExpression, type SourceFile, type VariableDeclaration } from 'ts-morph';
import type { Registration, ServerModel, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { declarationsThroughImport, enclosingFunction, isPlainValueType, literalText, unwrap } from '../../src/analysis/syntax.js';
import { pathAliasesOf, resolveModule } from '../../src/engine/module-paths.js';
import { relativeOf } from '../../src/engine/parse.js';
import { carriesConversation, isSharedByName, isSharedState } from '../../src/analysis/conversational.js';
import { CONVERSATIONAL_CLASSES, RELEASE_METHODS, SHUTDOWN_EVENTS, SHUTDOWN_LISTENERS, STDIN_SHUTDOWN_EVENTS, STOPPING_NAME, TRANSPORT_END_CALLBACKS } from '../../src/rules/scope-state.js';
import { declarationOf, isReference, referencesTo } from '../shared/declarations.js';
import { onlyResourceReaders, readByResources, RESOURCE_READERS } from './resources.js';
import { isExported } from '../shared/exports.js';
import { placeOf } from '../shared/place.js';
import { factoryInstances, isDirectIn, isReleaseCall, serverClasses, singletonOf, usesOutsideCalls, type FactoryInstance, type InstanceHolder } from './instances.js';
import { fieldReferences, fieldUsesOutsideTools, serverClassFields, type FieldMember } from './fields.js';
import { toolList } from '../handles/generate.js';

/** A statement of a shutdown handler that uses the state: it becomes the record's cleanup. */
export interface ShutdownUse {
  statement: Node;
  /** The handler function, to know whether it can await. */
  handler: Node;
  /** It releases an object the record holds and releases itself (`await browserManager.close()`): it only becomes disposeAll(). */
  disposeOnly?: true;
  /** Start-up code still uses the run's own instance (marked where it does): its release stays, after disposeAll(). */
  keepsOwn?: true;
  /** It releases what an object of state holds (`this.state.browser`, see objectInstances): the record's object now. */
  instance?: string;
  /** It stays where it is too: a release method the tools also call keeps its statements (see FieldUses.sharedRelease). */
  inPlace?: true;
}

/** One thing the record holds. */
export type ScopeMember =
  | { kind: 'variable'; name: string; declaration: VariableDeclaration; state: StateVariable }
  | { kind: 'instance'; name: string; declaration: VariableDeclaration; fields: StateVariable[] }
  /** An object a server factory builds per connection (`const context = new Context(…)`): the record holds it. */
  | { kind: 'factory-instance'; name: string; declaration: InstanceHolder; built: FactoryInstance['built']; fields: StateVariable[]; factory: Node; className: string; release: string | undefined; shared?: string[] }
  /** A field of the class that builds its own server (`private sshConnection: Client | null = null`): `this.x` becomes a record property. */
  | FieldMember;

/** The state one file keeps for a conversation, and everything that reaches it. */
export interface ScopeCandidate {
  file: SourceFile;
  members: ScopeMember[];
  /** Same-file references of each variable member, by name (shutdown uses excluded). */
  references: Map<string, Identifier[]>;
  /** References inside the shutdown statements, which move into the record's cleanup (`this.x` of a field member too). */
  cleanupReferences: Array<Identifier | PropertyAccessExpression>;
  /** Every `this.x` of a field member, in its class. */
  fieldReferences: PropertyAccessExpression[];
  /** Tool registrations whose calls reach the state. */
  tools: Registration[];
  shutdown: ShutdownUse[];
  /** Members code that runs while the server starts sets or reads (see ScopeSpec.startup in templates/handle-scope). */
  startup: string[];
  /** What the record changes that a reader must settle, each a marker where it happens (the record goes ahead). */
  notes: ScopeDecline[];
}

/** A state that cannot join its file's record: one marker, and the file's record is not built. */
export interface ScopeDecline {
  node: Node;
  message: string;
  /** The record declined whole: what it would have held, the tools reaching it, and why it cannot be built. */
  record?: { names: string[]; tools: Registration[]; problem: string };
}

/** Module state that carries a conversation: set by tools, or created lazily as a live per-conversation object. */
export function isConversational(state: StateVariable): boolean {
  if (!carriesConversation(state)) return false;
  // A server factory's own variables lived as long as its session; per request they would start empty.
  if (state.kind === 'factory-closure') return state.dependence === 'implicit' && state.factory !== undefined;
  return state.kind === 'module';
}

/** Source order across a project: by file, then by position. */
function writtenOrder(a: Node, b: Node): number {
  const files = a.getSourceFile().getFilePath().localeCompare(b.getSourceFile().getFilePath());
  return files !== 0 ? files : a.getStart() - b.getStart();
}

/** `process.on('SIGINT', …)`: the call registering a shutdown handler, when `node` is its handler argument. */
function isShutdownRegistration(node: Node): boolean {
  const call = node.getParent();
  if (!call || !Node.isCallExpression(call) || !call.getArguments().includes(node)) return false;
  const callee = unwrap(call.getExpression());
  if (!Node.isPropertyAccessExpression(callee) || !SHUTDOWN_LISTENERS.includes(callee.getName())) return false;
  const event = literalText(call.getArguments()[0]);
  if (event === undefined) return false;
  const emitter = callee.getExpression().getText();
  // `process.stdin.on('close', …)`: a stdio server's client went away.
  return (emitter === 'process' && SHUTDOWN_EVENTS.includes(event)) || (emitter === 'process.stdin' && STDIN_SHUTDOWN_EVENTS.includes(event));
}

/**
 * The shutdown handler holding a node, if any: a function passed to `process.on('SIGINT', …)`, or a named
 * function (`async function cleanup()`) that is only ever registered as one or called from one.
 */
function shutdownHandlerOf(node: Node, depth = 0): Node | undefined {
  for (const ancestor of node.getAncestors()) {
    if (Node.isArrowFunction(ancestor) || Node.isFunctionExpression(ancestor)) {
      if (isShutdownRegistration(ancestor)) return ancestor;
      const holder = ancestor.getParent();
      if (holder && Node.isVariableDeclaration(holder) && holder.getInitializer() === ancestor && onlyUsedAtShutdown(holder, depth)) return ancestor;
      if (handedToShutdown(ancestor, depth)) return ancestor;
    } else if ((Node.isFunctionDeclaration(ancestor) || Node.isMethodDeclaration(ancestor)) && onlyUsedAtShutdown(ancestor, depth)) {
      return ancestor;
    }
  }
  return undefined;
}

/**
 * `setupProcessCleanup(async () => { await closeBrowser(); })`: a callback handed to a project function that
 * calls it only from its shutdown handlers (`process.on('SIGINT', cleanup)` where `cleanup` runs the callback).
 */
function handedToShutdown(callback: Node, depth: number): boolean {
  const call = callback.getParent();
  if (depth > 2 || !call || !Node.isCallExpression(call)) return false;
  const index = call.getArguments().indexOf(callback);
  const callee = unwrap(call.getExpression());
  if (index < 0 || !Node.isIdentifier(callee)) return false;
  const declaration = declarationsThroughImport(callee)[0];
  const fn = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : declaration;
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) return false;
  const parameter = fn.getParameters()[index];
  if (!parameter || !Node.isIdentifier(parameter.getNameNode())) return false;
  const uses = referencesTo(parameter);
  return (
    uses.length > 0 &&
    uses.every((use) => {
      const invocation = use.getParent();
      return invocation !== undefined && Node.isCallExpression(invocation) && invocation.getExpression() === use && shutdownHandlerOf(invocation, depth + 1) !== undefined;
    })
  );
}

/** Whether every use of a named function registers it for shutdown or calls it from a shutdown handler. */
function onlyUsedAtShutdown(declaration: Node, depth: number): boolean {
  if (depth > 2) return false;
  // An exported `closeBrowser()` is called from the entry's signal handlers, in another module.
  const named = declaration as Node & { findReferencesAsNodes?(): Node[] };
  // Methods are reached through `this`, and exported functions from other modules: ask the language service.
  const wide = Node.isMethodDeclaration(declaration) || isExportedDeclaration(declaration);
  const own = (declaration as Node & { getNameNode?(): Node | undefined }).getNameNode?.();
  const uses = withoutImports(wide && named.findReferencesAsNodes ? named.findReferencesAsNodes() : referencesTo(declaration)).filter((use) => use !== own);
  return uses.length > 0 && uses.every((use) => {
    // A method is named through its receiver: `this.cleanup()`, `process.on('SIGINT', this.cleanup)`.
    const parent = use.getParent();
    const callee = parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === use ? parent : use;
    if (isShutdownRegistration(callee)) return true;
    const call = callee.getParent();
    return call !== undefined && Node.isCallExpression(call) && call.getExpression() === callee && shutdownHandlerOf(call, depth + 1) !== undefined;
  });
}

/**
 * An exported collection other modules use through its methods (`consoleLogs.push(…)`, `networkLogs.values()`):
 * its name can stay, standing for the current record's collection (`scope.member('consoleLogs')`), so the modules
 * importing it stay as they are. A `const` only: importers could not see a reassignment through the stand-in.
 */
export function standsInForRecord(member: ScopeMember): boolean {
  if (member.kind !== 'variable' || !member.state.container) return false;
  const statement = member.declaration.getVariableStatement();
  if (!statement || statement.getDeclarationKind() !== 'const') return false;
  const references = referencesTo(member.declaration);
  return isExported(statement) || references.some((id) => Node.isExportSpecifier(id.getParent()) || isHandedOver(id));
}

/** `registerTools(server, state)`: the object handed to a function, which uses it later (in the tools it registers). */
function isHandedOver(reference: Node): boolean {
  const call = reference.getParent();
  return call !== undefined && Node.isCallExpression(call) && call.getArguments().includes(reference as never);
}

/**
 * Whether code runs only while the server starts: at a module's top level, or in a named function called only
 * from such code (`main().catch(…)`, `await initializeFromEnvironment()` in `main`), never handed over as a
 * callback (a timer, an event) and never from a request handler.
 */
function runsAtStartUp(node: Node, model: ServerModel, depth = 0): boolean {
  const fn = node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isClassDeclaration(a));
  if (!fn) return true;
  const named = namedFunctionOf(node);
  if (depth > 3 || !named || named.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a))) return false;
  // The function itself, not a callback inside it (`.then(() => …)` in main may run later).
  const own = Node.isVariableDeclaration(named) ? named.getInitializer() : named;
  if (fn !== own) return false;
  const uses = withoutImports(named.findReferencesAsNodes());
  const calls = callsOf(named);
  return calls.length > 0 && calls.length === uses.length && calls.every((call) => !model.isHandled(call) && runsAtStartUp(call, model, depth + 1));
}

/**
 * A value a record can start from a copy of: a string, number, boolean or enum (a live object or a collection
 * copied into every record would be shared by all of them, and closed with the first).
 */
function holdsPlainValue(member: ScopeMember): boolean {
  if (member.kind !== 'variable' || member.state.container) return false;
  const type = member.declaration.getType();
  // Without the project's type definitions (`process.env` unknown) the type says nothing: the value written says it.
  if (type.isAny() && !member.declaration.getTypeNode()) return plainByText(member.declaration.getInitializer());
  return isPlainValueType(type);
}

/** `process.env.DB_PATH || DEFAULT_PATH`, a literal, or a constant holding one: a string, number or boolean by its text. */
function plainByText(value: Node | undefined, depth = 0): boolean {
  if (!value || depth > 3) return false;
  const node = unwrap(value);
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node) || Node.isNumericLiteral(node) || Node.isTrueLiteral(node) || Node.isFalseLiteral(node)) return true;
  if (Node.isPropertyAccessExpression(node)) return node.getExpression().getText() === 'process.env';
  if (Node.isBinaryExpression(node) && ['||', '??'].includes(node.getOperatorToken().getText())) return plainByText(node.getLeft(), depth + 1) && plainByText(node.getRight(), depth + 1);
  if (Node.isIdentifier(node)) {
    const declaration = node.getSymbol()?.getDeclarations()[0];
    return declaration !== undefined && Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const' && plainByText(declaration.getInitializer(), depth + 1);
  }
  return false;
}

/** Inside a named function nothing calls (`getCurrentPage()`, imported but unused): not a use of the state. */
function inUncalledFunction(node: Node, depth = 0): boolean {
  const named = namedFunctionOf(node);
  if (!named || named.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a))) return false;
  const uses = withoutImports(named.findReferencesAsNodes());
  // Called only from functions nothing calls (`getCurrentBrowserInstances()` left from an older version): dead too.
  return uses.length === 0 || (depth < 3 && uses.every((use) => inUncalledFunction(use, depth + 1)));
}

/** The named functions (declarations, or variables holding one) whose own code makes the accesses tools reach. */
function helpersOf(accesses: readonly StateAccess[]): Map<FunctionDeclaration | VariableDeclaration, string> {
  const out = new Map<FunctionDeclaration | VariableDeclaration, string>();
  for (const access of accesses) {
    const named = access.by.length > 0 ? namedFunctionOf(access.node) : undefined;
    const name = named?.getName();
    if (named && name) out.set(named, name);
  }
  return out;
}

/** The named function whose own code holds a node: a declaration, or the variable an arrow or function expression is assigned to. */
function namedFunctionOf(node: Node): FunctionDeclaration | VariableDeclaration | undefined {
  const fn = node.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a));
  if (fn && Node.isFunctionDeclaration(fn)) return fn;
  const holder = fn?.getParent();
  return holder && Node.isVariableDeclaration(holder) && holder.getInitializer() === fn ? holder : undefined;
}

/** The calls of a named function, across the project (`closeBrowser()` in the entry's signal handler). */
function callsOf(declaration: FunctionDeclaration | VariableDeclaration): Node[] {
  return withoutImports(declaration.findReferencesAsNodes()).flatMap((use) => {
    const call = use.getParent();
    return call && Node.isCallExpression(call) && call.getExpression() === use ? [call] : [];
  });
}

/** References that use a declaration, not the import and export lines that pass its name along. */
function withoutImports(references: readonly Node[]): Node[] {
  return references.filter((use) => !use.getFirstAncestor((a) => Node.isImportDeclaration(a) || Node.isExportDeclaration(a)));
}

function isExportedDeclaration(declaration: Node): boolean {
  const statement = Node.isVariableDeclaration(declaration) ? declaration.getVariableStatement() : declaration;
  return statement !== undefined && Node.isExportable(statement) && statement.isExported();
}

/**
 * The statement of `handler` that holds `node`: the smallest one that sits directly in a block, so that what
 * else the handler does around the state (`await cleanupScreenshots()` in the same `try`) stays where it is
 * and runs once, while the state's own statements become the record's cleanup.
 */
function bodyStatementOf(node: Node, handler: Node): Node | undefined {
  const body = (handler as Node & { getBody?(): Node | undefined }).getBody?.();
  if (!body || !Node.isBlock(body)) return undefined;
  return node.getAncestors().find((ancestor) => {
    const parent = ancestor.getParent();
    if (!parent || !Node.isBlock(parent) || !Node.isStatement(ancestor)) return false;
    // Not inside a callback of the handler's own: its statements run per item, not once.
    return parent === body || (parent.getAncestors().includes(body) && ancestor.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) === handler);
  });
}

/** Class-field state of a module singleton, by the singleton's declaration. */
function singletonStates(model: ServerModel): Map<VariableDeclaration, StateVariable[]> {
  const out = new Map<VariableDeclaration, StateVariable[]>();
  // Each class's instances are looked up once, however many of its fields hold state.
  const singletons = new Map<ClassDeclaration | ClassExpression, VariableDeclaration | undefined>();
  // A class that builds its own server keeps a conversation in its fields (see ./fields.ts), not in an instance.
  const owners = serverClasses(model);
  for (const state of model.states) {
    if (state.kind !== 'class-field' || !carriesConversation(state) || state.perConnectionClass || !state.ownerClass || owners.has(state.ownerClass)) continue;
    if (!state.accesses.some((access) => access.by.some((r) => r.kind === 'tool'))) continue;
    if (!singletons.has(state.ownerClass)) singletons.set(state.ownerClass, singletonOf(state.ownerClass, model));
    const singleton = singletons.get(state.ownerClass);
    if (!singleton) continue;
    const className = Node.isClassDeclaration(state.ownerClass) ? (state.ownerClass.getName() ?? '') : '';
    const names = [singleton.getName(), className];
    if (names.some(isSharedByName)) continue;
    if (!names.some((name) => CONVERSATIONAL_CLASSES.some((test) => test.test(name)))) continue;
    out.set(singleton, [...(out.get(singleton) ?? []), state]);
  }
  // One that start-up code uses (`await connectionManager.connect(config)` in main) keeps what start-up opened in a
  // record built whole by nobody: its fields move one by one instead (see ./fields.ts).
  for (const singleton of [...out.keys()]) if (usedAtStartUp(singleton, model)) out.delete(singleton);
  return out;
}

function usedAtStartUp(singleton: VariableDeclaration, model: ServerModel): boolean {
  return singletonReferences(singleton, model).some(
    (reference) =>
      reference !== singleton.getNameNode() &&
      !reference.getFirstAncestor((a) => Node.isImportDeclaration(a) || Node.isExportDeclaration(a)) &&
      !model.isHandled(reference) &&
      runsAtStartUp(reference, model),
  );
}

/** Every reference to a module singleton: in its own module, and through named imports of it elsewhere. */
function singletonReferences(declaration: VariableDeclaration, model: ServerModel): Identifier[] {
  const home = relativeOf(declaration.getSourceFile());
  const known = new Set(model.files.map((info) => info.file));
  const aliases = pathAliasesOf(declaration.getProject());
  const out = referencesTo(declaration);
  for (const info of model.files) {
    for (const importDeclaration of info.sourceFile.getImportDeclarations()) {
      const specifier = importDeclaration.getModuleSpecifierValue();
      if (resolveModule(info.file, specifier, known, aliases) !== home) continue;
      for (const named of importDeclaration.getNamedImports()) {
        if (named.getName() !== declaration.getName()) continue;
        out.push(...referencesTo(named));
      }
    }
  }
  return out;
}

/**
 * Per file, the conversational state tools reach, or why it cannot be gathered. A file is all or nothing:
 * its states are created and cleaned up together (`ensureBrowser()` sets the browser and the page).
 */
export function findCandidates(model: ServerModel, options: { resources: boolean } = { resources: true }): { candidates: ScopeCandidate[]; declines: ScopeDecline[] } {
  const byFile = new Map<SourceFile, ScopeMember[]>();
  const add = (member: ScopeMember) => {
    const file = member.declaration.getSourceFile();
    byFile.set(file, [...(byFile.get(file) ?? []), member]);
  };
  const declines: ScopeDecline[] = [];
  for (const state of withCompanions(model.states.filter(isConversational), model.states)) {
    if (!state.accesses.some((access) => access.by.some((r) => r.kind === 'tool'))) continue;
    const node = state.declaration;
    if (!Node.isVariableDeclaration(node) || !Node.isIdentifier(node.getNameNode())) {
      declines.push({ node, message: `${state.name} is not a plain variable declaration; give the tools that use it a handle by hand` });
      continue;
    }
    add({ kind: 'variable', name: state.name, declaration: node, state });
  }
  const instances = singletonStates(model);
  for (const [declaration, fields] of instances) add({ kind: 'instance', name: declaration.getName(), declaration, fields });
  const built = factoryInstances(model, (node) => stoppingPlaceOf(node) !== undefined);
  for (const found of built) {
    add({ kind: 'factory-instance', name: found.name, declaration: found.declaration, built: found.built, fields: found.fields, factory: found.factory, className: found.className, release: found.release, ...(found.shared ? { shared: found.shared } : {}) });
  }
  // An object that moves whole (a journal, what a server factory builds) is not also split field by field.
  const whole = [...[...instances.values()].flat(), ...built.flatMap((found) => found.fields)];
  const ownFields = serverClassFields(model, new Set(whole.flatMap((field) => (field.ownerClass ? [field.ownerClass] : []))), new Set(whole));
  for (const member of ownFields.members) add(member);
  declines.push(...ownFields.declines);
  if (options.resources) {
    for (const state of resourceCollections(model, new Set(byFile.keys()))) {
      const node = state.declaration;
      if (Node.isVariableDeclaration(node) && Node.isIdentifier(node.getNameNode())) add({ kind: 'variable', name: state.name, declaration: node, state });
    }
  }

  const candidates: ScopeCandidate[] = [];
  const callsByHelper = new Map<Node, Node[]>();
  for (const [file, unordered] of byFile) {
    const all = [...unordered].sort((a, b) => a.declaration.getStart() - b.declaration.getStart());
    // A member that cannot join the record stays as it was, with its own marker; the others still move.
    const staying = new Map<ScopeMember, ScopeDecline>();
    for (const member of all) {
      // State resources read can join the record: they are then served from templates keyed by its id.
      const problem = options.resources && readByResources(member) && onlyResourceReaders(member, (access) => clearedAtTransportEnd(member, access)) ? undefined : memberProblem(member, options.resources && readByResources(member));
      if (problem) staying.set(member, problem);
    }
    // Unless it is set together with one that stays (`books` loaded where `currentShelf` is switched): a record
    // holding one of them would pair one conversation's value with everyone's.
    for (let grown = true; grown; ) {
      grown = false;
      for (const member of all) {
        const partner = staying.has(member) ? undefined : all.find((other) => staying.has(other) && setTogether(member, other));
        if (!partner) continue;
        staying.set(member, { node: member.declaration, message: `${member.name} is set together with ${partner.name}, which stays shared by every conversation (see its marker), so it stays shared too` });
        grown = true;
      }
    }
    declines.push(...staying.values());
    const members = all.filter((member) => !staying.has(member));
    if (members.length === 0) continue;
    const problems: ScopeDecline[] = [];
    const tools = new Set<Registration>();
    const startup = new Set<string>();
    const notes: ScopeDecline[] = [];
    const shutdown = new Map<Node, ShutdownUse>();
    const noteShutdown = (node: Node, name: string): boolean => {
      const handler = shutdownHandlerOf(node);
      if (!handler) return false;
      const statement = bodyStatementOf(node, handler);
      if (statement) shutdown.set(statement, { statement, handler });
      else problems.push({ node, message: `${name} is released in a shutdown handler written in a way that cannot be moved to the record's cleanup` });
      return true;
    };
    for (const member of members) {
      if (member.kind === 'factory-instance') {
        if (!isDirectIn(member.declaration, member.factory)) {
          problems.push({ node: member.declaration, message: `${member.name} is not built at the top of its server factory; make it a handle by hand` });
          continue;
        }
        // Built lazily inside the factory (with what only the factory knows) for the record of the running call;
        // code outside tool calls gets an instance of the factory run's own, as before.
        // Every tool that reaches the object runs in the record, since the record holds all of it: also one that
        // only reads a field kept per caller-given key (`list_drafts` listing `this.drafts`).
        const owners = new Set(member.fields.map((field) => field.ownerClass));
        for (const field of model.states) {
          if (field.kind !== 'class-field' || !owners.has(field.ownerClass)) continue;
          for (const access of field.accesses) for (const registration of access.by) tools.add(registration);
        }
        // One marker per function that uses it outside tool calls, at its first use there.
        const notesBefore = notes.length;
        const seen = new Set<Node | undefined>();
        for (const use of usesOutsideCalls(member, model, (node) => shutdownHandlerOf(node) !== undefined)) {
          // A property the process keeps (a flag a signal handler sets) is the one every record shares.
          if (usesShared(use, member.shared)) continue;
          const fn = enclosingFunction(use);
          // Releasing it where the server or its connection stops releases that run's own instance, as before
          // (records release theirs when they end).
          if (seen.has(fn) || (fn !== undefined && STOPPING_NAME.test(nameOfFunction(fn) ?? '')) || isReleaseCall(use)) continue;
          seen.add(fn);
          notes.push({
            node: use,
            message: `${member.name} is used here outside any tool call, and each conversation's record now builds its own ${member.className}: what this does to the one built at start-up (a connection it opens, a setting it makes) reaches no conversation; do it in the record's tools by hand, or keep one ${member.className} shared on purpose`,
          });
        }
        // Released where the process stops (`process.on('SIGINT', async () => { await browserManager.close(); … })`):
        // every record's object is released there (the record's cleanup releases it), and the run's own instance
        // too when start-up code opened it.
        const keepsOwn = notes.length > notesBefore;
        for (const use of usesOutsideCalls(member, model, () => false)) {
          const handler = isReleaseCall(use) ? shutdownHandlerOf(use) : undefined;
          const statement = handler ? bodyStatementOf(use, handler) : undefined;
          if (handler && statement && member.release) shutdown.set(statement, { statement, handler, disposeOnly: true, ...(keepsOwn ? { keepsOwn: true as const } : {}) });
        }
        // An object of state handed to code that runs outside any tool call (a timer that counts into it): what that
        // code does to anything but the process's flags reaches no conversation now.
        for (const use of member.shared ? handedUsesOutsideCalls(member) : []) {
          if (seen.has(enclosingFunction(use))) continue;
          seen.add(enclosingFunction(use));
          notes.push({ node: use, message: `${member.name} is handed to code that runs outside any tool call, and each conversation's record now builds its own ${member.className}: what this code does to it reaches no conversation; do it in the record's tools by hand, or keep one ${member.className} shared on purpose` });
        }
        // An object of state has no method to release it: the statements of the method that stops the server about
        // what it holds (`if (this.state.browser) await this.state.browser.close()`) become the record's cleanup.
        if (member.shared) {
          const released = objectReleaseStatements(member, model);
          if (typeof released === 'string') problems.push({ node: member.declaration, message: released });
          else for (const use of released) shutdown.set(use.statement, use);
        }
        continue;
      }
      if (member.kind === 'field') {
        for (const access of member.state.accesses) for (const registration of access.by) tools.add(registration);
        const recordFields = new Set(members.flatMap((m) => (m.kind === 'field' && m.owner === member.owner ? [m.name] : [])));
        const uses = fieldUsesOutsideTools(member, model, recordFields, { shutdown: (node) => shutdownHandlerOf(node) !== undefined, startUp: (node) => runsAtStartUp(node, model) });
        if (uses.problem) problems.push(uses.problem);
        if (uses.startup) startup.add(member.name);
        // The release method's statements about the record become the record's cleanup (see ./fields.ts).
        for (const statement of uses.release?.statements ?? []) shutdown.set(statement, { statement, handler: uses.release!.method });
        const shared = uses.sharedRelease;
        for (const statement of shared?.statements ?? []) shutdown.set(statement, { statement, handler: shared!.method, inPlace: true });
        for (const call of shared?.shutdownCalls ?? []) {
          const handler = shutdownHandlerOf(call);
          const statement = handler && bodyStatementOf(call, handler);
          // `close` in `getLedger().close()`: the call it names.
          const invoked = call.getParent()?.getParent();
          // Only a statement that is the call itself becomes disposeAll(): anything else it does would go with it.
          if (handler && statement && Node.isExpressionStatement(statement) && invoked && unwrap(statement.getExpression()) === invoked) shutdown.set(statement, { statement, handler, disposeOnly: true });
          else problems.push({ node: call, message: `${member.owner.getName()}.${member.name} is released ${placeOf(call)} in a shutdown statement that does more than that; release it in a statement of its own, then run migrate again` });
        }
        continue;
      }
      const statement = member.declaration.getVariableStatement();
      const factory = member.kind === 'variable' ? member.state.factory?.node : undefined;
      const home = factory ? (factory as Node & { getBody(): Node | undefined }).getBody() : file;
      if (!statement || statement.getParent() !== home) {
        problems.push({ node: member.declaration, message: `${member.name} is not declared at the top of its ${factory ? 'server factory' : 'module'}; make it a handle by hand` });
        continue;
      }
      const local = factory ? factoryLocalIn(member.declaration.getInitializer(), factory) : undefined;
      if (local) {
        problems.push({ node: member.declaration, message: `${member.name} starts from ${local}, which only the server factory knows; give it a handle by hand` });
        continue;
      }
      if (member.kind === 'variable') {
        if (isExported(statement) && !standsInForRecord(member)) problems.push({ node: member.declaration, message: `${member.name} is exported; make it a handle by hand` });
        for (const access of member.state.accesses) {
          for (const registration of access.by) tools.add(registration);
          if (noteShutdown(access.node, member.name)) continue;
          // Handing the object to a function is no use of it: what that function does with it is (its own accesses).
          if (standsInForRecord(member) && isHandedOver(access.node)) continue;
          if (access.by.length === 0 && access.byOther.length === 0 && access.node !== member.declaration.getNameNode() && !inUncalledFunction(access.node)) {
            if (holdsPlainValue(member) && runsAtStartUp(access.node, model)) {
              startup.add(member.name);
              continue;
            }
            problems.push({ node: access.node, message: `${member.name} is used outside any tool call (in ${file.getBaseName()}); decide whether it belongs to one conversation or to the whole server` });
          }
        }
        // A helper the tools call may run elsewhere too: from a shutdown handler it becomes the record's cleanup
        // (`await closeBrowser()` then closes each record's browser); anywhere else it has no record to use.
        for (const [helper, name] of helpersOf(member.state.accesses)) {
          // One helper serves several members: its calls are looked up once (the language service is slow).
          const calls = callsByHelper.get(helper) ?? callsOf(helper);
          callsByHelper.set(helper, calls);
          for (const call of calls) {
            if (model.isHandled(call) || noteShutdown(call, member.name) || inUncalledFunction(call)) continue;
            if (holdsPlainValue(member) && runsAtStartUp(call, model)) {
              startup.add(member.name);
              continue;
            }
            problems.push({ node: call, message: `${member.name} is used in ${name}(), which also runs outside any tool call (in ${call.getSourceFile().getBaseName()}); decide whether it belongs to one conversation or to the whole server` });
          }
        }
        continue;
      }
      for (const field of member.fields) for (const access of field.accesses) for (const registration of access.by) tools.add(registration);
      // Field accesses outside tools must come from methods only shutdown handlers call.
      const className = member.fields[0]!.ownerClass && Node.isClassDeclaration(member.fields[0]!.ownerClass) ? member.fields[0]!.ownerClass.getName() : undefined;
      const references = singletonReferences(member.declaration, model);
      for (const reference of references) {
        if (noteShutdown(reference, member.name)) continue;
        if (!reference.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a))) {
          problems.push({ node: reference, message: `${member.name} (a ${className ?? 'class'} instance) is used while the server starts; decide whether it belongs to one conversation or to the whole server` });
        }
      }
      for (const field of member.fields) {
        for (const access of field.accesses) {
          if (access.by.length > 0 || access.byOther.length > 0) continue;
          const method = access.node.getFirstAncestor((a) => Node.isMethodDeclaration(a));
          const methodName = method && Node.isMethodDeclaration(method) ? method.getName() : undefined;
          const callers = references.filter((ref) => {
            const parent = ref.getParent();
            return parent && Node.isPropertyAccessExpression(parent) && parent.getName() === methodName;
          });
          // A member nothing calls is not a use; one called only while shutting down becomes the cleanup.
          const accessor = access.node.getFirstAncestor((a) => Node.isGetAccessorDeclaration(a) || Node.isSetAccessorDeclaration(a));
          const memberName = methodName ?? (accessor && (Node.isGetAccessorDeclaration(accessor) || Node.isSetAccessorDeclaration(accessor)) ? accessor.getName() : undefined);
          const users = methodName ? callers : references.filter((ref) => {
            const parent = ref.getParent();
            return parent && Node.isPropertyAccessExpression(parent) && parent.getName() === memberName;
          });
          if (!memberName || !users.every((caller) => shutdownHandlerOf(caller))) {
            problems.push({ node: access.node, message: `${member.name}.${field.name} is used outside any tool call; decide whether it belongs to one conversation or to the whole server` });
          }
        }
      }
    }

    // A statement inside another one that moves goes with it.
    for (const statement of [...shutdown.keys()]) if (statement.getAncestors().some((a) => shutdown.has(a))) shutdown.delete(statement);
    const statements = [...shutdown.keys()];
    const inShutdown = (id: Identifier) => statements.some((statement) => id.getAncestors().includes(statement));
    const references = new Map<string, Identifier[]>();
    const cleanupReferences: Array<Identifier | PropertyAccessExpression> = [];
    const ownReferences: PropertyAccessExpression[] = [];
    for (const member of members) {
      if (member.kind === 'factory-instance') continue;
      if (member.kind === 'field') {
        const found = fieldReferences(member);
        if ('message' in found) problems.push(found);
        else {
          // Reached on an instance elsewhere: the field becomes accessors onto the record (see fieldDeclarationEdit).
          if (found.handed) member.handed = true;
          for (const access of found.own) {
            const moved = [...shutdown.values()].filter((use) => access.getAncestors().includes(use.statement));
            // In a statement that moves into the cleanup, or one that also stays (inPlace): both places rewrite it.
            if (moved.length > 0) cleanupReferences.push(access);
            if (moved.length === 0 || moved.every((use) => use.inPlace)) ownReferences.push(access);
          }
        }
        continue;
      }
      const all = member.kind === 'variable' ? referencesTo(member.declaration) : singletonReferences(member.declaration, model);
      if (member.kind === 'variable') references.set(member.name, all.filter((id) => !inShutdown(id)));
      cleanupReferences.push(...all.filter(inShutdown));
      const exported = all.find((id) => Node.isExportSpecifier(id.getParent()));
      if (exported && !standsInForRecord(member)) problems.push({ node: exported, message: `${member.name} is exported; make it a handle by hand` });
    }
    for (const use of shutdown.values()) {
      if (use.statement.getSourceFile() !== file && !cleanupIsPortable(use.statement, cleanupReferences, file)) {
        problems.push({ node: use.statement, message: `the shutdown code in ${posix.basename(relativeOf(use.statement.getSourceFile()))} uses more than the state; move it to the state's module by hand` });
      }
    }
    if (problems.length > 0) {
      declines.push({ ...recordDeclined(members, problems[0]!), record: { names: members.map((member) => member.name), tools: [...tools], problem: problems[0]!.message } });
      continue;
    }
    // The cleanup runs in the order the shutdown code was written (page, then context, then browser), not member order.
    const inWrittenOrder = [...shutdown.values()].sort((a, b) => writtenOrder(a.statement, b.statement));
    candidates.push({ file, members, references, cleanupReferences, fieldReferences: ownReferences, tools: [...tools].filter((r) => r.kind === 'tool'), shutdown: inWrittenOrder, startup: [...startup], notes });
  }
  return { candidates, declines };
}

/** Two module variables some function sets both of. */
function setTogether(a: ScopeMember, b: ScopeMember): boolean {
  if (a.kind !== 'variable' || b.kind !== 'variable') return false;
  const first = writingFunctions(a.state);
  return [...writingFunctions(b.state)].some((fn) => first.has(fn));
}

/** The functions that write a state (a callback's write counts for the callback). */
function writingFunctions(state: StateVariable): Set<Node> {
  return new Set(state.accesses.filter((access) => access.mode === 'write').flatMap((access) => access.node.getFirstAncestor((n) => Node.isFunctionLikeDeclaration(n)) ?? []));
}

/**
 * Module values written in the same function as a conversation's state join its record: `ensureBrowser()`
 * launches the browser and opens its page together, so a record holding only the page would never get one.
 */
function withCompanions(members: readonly StateVariable[], states: readonly StateVariable[]): StateVariable[] {
  const out = new Set(members);
  for (let grown = true; grown; ) {
    grown = false;
    const functions = new Set([...out].flatMap((state) => [...writingFunctions(state)]));
    for (const state of states) {
      if (out.has(state) || state.kind !== 'module' || state.dependence !== 'lazy-global' || isSharedState(state)) continue;
      // Names mean something within one module only (every tool module may have its own `browserContext`).
      const neighbours = [...out].filter((member) => member.file === state.file);
      if (neighbours.length === 0) continue;
      const names = new Set(neighbours.map((member) => member.name));
      const writerNames = new Set(neighbours.flatMap((member) => [...writingFunctions(member)]).flatMap((fn) => (Node.isFunctionDeclaration(fn) && fn.getName() ? [fn.getName()!] : [])));
      // Built from a member (`new AnalyzePageTool(await getBrowserManager())`): it holds that record's object.
      const builtFromMember = (fn: Node) =>
        fn.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => names.has(id.getText()) || (writerNames.has(id.getText()) && Node.isCallExpression(id.getParent())));
      if ([...writingFunctions(state)].some((fn) => functions.has(fn) || builtFromMember(fn))) {
        out.add(state);
        grown = true;
      }
    }
  }
  return [...out];
}

/**
 * Collections tools add to and resources serve (`screenshots.set(name, png)` listed as `screenshot://{name}`), in
 * a module whose conversation state becomes a record: what a conversation produced belongs to its record, so
 * they join it and are served under its id rather than to every client of the process.
 */
function resourceCollections(model: ServerModel, files: ReadonlySet<SourceFile>): StateVariable[] {
  return model.states.filter((state) => {
    if (state.kind !== 'module' || !state.container || state.holdsTransports || state.holdsUpstreams || isSharedState(state)) return false;
    if (!files.has(state.declaration.getSourceFile()) || isConversational(state)) return false;
    const byTools = state.accesses.some((a) => a.mode === 'write' && a.by.some((r) => r.kind === 'tool'));
    const byResources = state.accesses.some((a) => a.by.some((r) => r.kind === 'resource') || a.byOther.some((label) => label === 'resources/list' || label === 'resources/read'));
    return byTools && byResources;
  });
}

/**
 * A field cleared where the transport closes or fails (`this.db = null` in the disconnect() that `transport.onclose`
 * calls): that clears start-up's record, as it cleared the instance's, and reads nothing.
 */
function clearedAtTransportEnd(member: ScopeMember, access: StateAccess): boolean {
  return member.kind === 'field' && access.reset === true && access.byOther.length > 0 && access.byOther.every((label) => TRANSPORT_END_CALLBACKS.includes(label));
}

/**
 * Why one member cannot join a record: read where no handle can be passed (resources, prompts, other handlers).
 * `resourcesServed`: resources can be served from the record, so only another reader is the reason.
 */
function memberProblem(member: ScopeMember, resourcesServed = false): ScopeDecline | undefined {
  const fields = member.kind === 'variable' ? [member.state] : member.fields;
  const servedHere = (kind: string) => kind === 'tool' || (resourcesServed && kind === 'resource');
  for (const field of fields) {
    for (const access of field.accesses) {
      // Releasing an object held whole: outside a tool call it releases an instance of its own (see instances.ts).
      if (member.kind === 'factory-instance' && inReleaseMethod(access.node)) continue;
      // An object's state is decided where its class keeps it, beside what the finer transforms said about it.
      const node = member.kind === 'factory-instance' ? field.declaration : member.declaration;
      const name = member.kind === 'factory-instance' ? `${member.className}.${field.name}` : member.name;
      const reader = access.by.find((r) => !servedHere(r.kind));
      if (reader) {
        const instead = reader.kind === 'resource' ? 'serve it as a resource template keyed by the handle' : reader.kind === 'prompt' ? 'give the prompt the handle as an argument' : 'pass it the handle';
        return { node, message: `${name} is also read by ${reader.label}, which cannot take a handle, so it stays shared by every conversation; ${instead} if it belongs to one` };
      }
      if (clearedAtTransportEnd(member, access)) continue;
      const others = access.byOther.filter((label) => !(resourcesServed && RESOURCE_READERS.has(label)));
      if (others.length > 0) {
        return { node, message: `${name} is also used by ${others.join(', ')}, which cannot take a handle, so it stays shared by every conversation; decide whether it belongs to one` };
      }
    }
  }
  return undefined;
}

/**
 * One marker for the file's record, at its first declaration, naming every member: they move together or not at
 * all, so the reason one of them cannot move is the decision for all of them.
 */
function recordDeclined(members: readonly ScopeMember[], problem: ScopeDecline): ScopeDecline {
  if (members.length === 1 && problem.node === members[0]!.declaration) return problem;
  const names = toolList(members.map((member) => `\`${member.name}\``));
  return { node: members[0]!.declaration, message: `${names} ${members.length === 1 ? 'stays' : 'stay'} shared by every conversation: ${problem.message}` };
}

/** Whether a field access sits in a method that releases its object (`close()`, `dispose()`). */
function inReleaseMethod(node: Node): boolean {
  const method = node.getFirstAncestor((a) => Node.isMethodDeclaration(a));
  return method !== undefined && Node.isMethodDeclaration(method) && RELEASE_METHODS.includes(method.getName());
}

/** A name in an initializer that is declared inside the factory (its parameters and locals), if any. */
function factoryLocalIn(initializer: Node | undefined, factory: Node): string | undefined {
  if (!initializer) return undefined;
  const ids = [initializer, ...initializer.getDescendants()].filter((n): n is Identifier => Node.isIdentifier(n) && isReference(n));
  return ids.find((id) => {
    const declaration = declarationOf(id);
    return declaration !== undefined && declaration.getAncestors().includes(factory);
  })?.getText();
}

/**
 * Whether a shutdown statement from another module means the same in the state's module: every name it uses
 * is the state itself, a global (`process`, `console`), or a declaration of that module it imported
 * (`await closeShell()`).
 */
function cleanupIsPortable(statement: Node, stateReferences: ReadonlyArray<Identifier | PropertyAccessExpression>, stateFile: SourceFile): boolean {
  const own = new Set(stateReferences.filter((id) => id.getAncestors().includes(statement)));
  return statement
    .getDescendants()
    .filter((n): n is Identifier => Node.isIdentifier(n))
    .every((id) => own.has(id) || isPropertyName(id) || ['process', 'console', 'undefined'].includes(id.getText()) || declaredAtTopOf(id, stateFile));
}

/** Whether a name (imported or not) resolves to a top-level declaration of `file`. */
function declaredAtTopOf(id: Identifier, file: SourceFile): boolean {
  return declarationsThroughImport(id).some((declaration) => {
    const statement = Node.isVariableDeclaration(declaration) ? declaration.getVariableStatement() : declaration;
    return declaration.getSourceFile() === file && statement?.getParent() === file;
  });
}

function isPropertyName(id: Identifier): boolean {
  const parent = id.getParent();
  return parent !== undefined && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id;
}

/** `this.state.flag` where `flag` is one of the properties the process keeps. */
function usesShared(use: Node, shared: readonly string[] | undefined): boolean {
  const access = use.getParent();
  return shared !== undefined && access !== undefined && Node.isPropertyAccessExpression(access) && access.getExpression() === use && shared.includes(access.getName());
}

/**
 * Where code the object of state is handed to (`startHeartbeat(this.state)`, outside its class) uses a property
 * other than the process's flags, in code no handler reaches and that does not stop the server.
 */
function handedUsesOutsideCalls(member: Extract<ScopeMember, { kind: 'factory-instance' }>): Node[] {
  const owner = member.declaration.getFirstAncestor((node) => Node.isClassDeclaration(node) || Node.isClassExpression(node));
  return member.fields.flatMap((state) =>
    state.accesses
      .filter((access) => access.by.length === 0 && access.byOther.length === 0 && !usesShared(access.node, member.shared))
      .map((access) => access.node)
      .filter((node) => !(owner && node.getAncestors().includes(owner)) && stoppingPlaceOf(node) === undefined && !inUncalledFunction(node)),
  );
}

/**
 * The statements that use an object of state where the server stops (a `cleanup()` method, a method only shutdown
 * code calls, a shutdown handler); why they cannot move when one of them sits where no statement can be taken.
 */
function objectReleaseStatements(member: Extract<ScopeMember, { kind: 'factory-instance' }>, model: ServerModel): ShutdownUse[] | string {
  const found = new Map<Node, ShutdownUse>();
  for (const use of usesOutsideCalls(member, model, () => false)) {
    if (usesShared(use, member.shared)) continue;
    const handler = stoppingPlaceOf(use);
    if (!handler) continue;
    const statement = bodyStatementOf(use, handler);
    if (!statement) return `${member.name} is released where the server stops in a way that cannot be moved to the record's cleanup`;
    found.set(statement, { statement, handler, instance: member.name });
  }
  return [...found.values()];
}

/**
 * Where a node runs as the server stops: the method it is written in when that method is named so (`cleanup()`)
 * or only shutdown code calls it, else the shutdown handler around it.
 */
function stoppingPlaceOf(node: Node): Node | undefined {
  const method = enclosingFunction(node);
  if (method && Node.isMethodDeclaration(method) && (STOPPING_NAME.test(method.getName()) || shutdownHandlerOf(method) !== undefined)) return method;
  return shutdownHandlerOf(node);
}

/** The name of a function, method or function-valued variable, when it has one. */
function nameOfFunction(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName();
  const holder = fn.getParent();
  return holder && Node.isVariableDeclaration(holder) ? holder.getName() : undefined;
}

