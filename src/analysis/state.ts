/**
 * State a server keeps between requests: module-level variables and containers, variables captured from a
 * server factory, and fields of classes whose instances own a server or serve its handlers. Every access is
 * classified (read/write, keyed by what) and attributed to the handlers that run it.
 */
import { Node, SyntaxKind, type Block, type ClassDeclaration, type ClassExpression, type Identifier, type ObjectLiteralExpression, type PropertyAccessExpression, type VariableDeclaration } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { KeyOrigin, Registration, ServerFactory, ServerInstance, StateAccess, StateDependence, StateKind, StateVariable } from './model.js';
import type { Origins } from './origins.js';
import { classesOfReceiver } from './classes.js';
import { classOfNew, elementFunctions, resolveFunction } from './functions.js';
import { perConnectionClasses } from './per-connection.js';
import { sharedPurposeOf } from './purpose.js';
import type { Reach } from './reach.js';
import { enclosingFunction, isFunctionNode, isNullish, isWriteTarget, outermostWrapper, unwrap } from './syntax.js';
import { SCOPE_DEFINER, SCOPE_INSTANCE_METHOD, SCOPE_STATE_PROPERTY } from '../rules/scope-state.js';
import {
  CONTAINER_CONSTRUCTORS,
  CONTAINER_TYPES,
  GATEWAY_NAMES,
  KEYED_METHODS,
  KEYED_WRITES,
  MUTATING_METHODS,
  SERVER_CLASSES,
  TRANSPORT_CLASSES,
  UPSTREAM_CLASSES,
} from './vocabulary.js';

interface Candidate {
  name: string;
  kind: StateKind;
  file: string;
  declaration: Node;
  container?: StateVariable['container'];
  mutableBinding: boolean;
  factory?: ServerFactory;
  ownerClass?: ClassDeclaration | ClassExpression;
  typeText: string;
}

export function findStates(
  ctx: AnalysisContext,
  reach: Reach,
  origins: Origins,
  servers: readonly ServerInstance[],
  factories: readonly ServerFactory[],
  registrations: readonly Registration[],
): StateVariable[] {
  const serverHolders = new Set<Node>(servers.flatMap((s) => (s.holder?.kind === 'variable' ? [s.holder.node] : [])));
  const candidates: Candidate[] = [];
  for (const info of ctx.files) {
    for (const statement of info.sourceFile.getVariableStatements()) {
      for (const declaration of statement.getDeclarations()) {
        const candidate = variableCandidate(declaration, 'module', info.file, serverHolders);
        if (candidate) candidates.push(candidate);
      }
    }
  }
  for (const factory of factories) {
    const body = factory.node.getBody();
    if (!body || !Node.isBlock(body)) continue;
    for (const statement of body.getStatements()) {
      if (!Node.isVariableStatement(statement)) continue;
      for (const declaration of statement.getDeclarations()) {
        const candidate = variableCandidate(declaration, 'factory-closure', factory.file, serverHolders);
        if (candidate) candidates.push({ ...candidate, factory });
      }
    }
  }
  for (const owner of stateClasses(ctx, reach, servers, registrations)) if (!heldPerRecord(ctx, owner)) candidates.push(...fieldCandidates(ctx, owner, servers));

  const perConnection = perConnectionClasses(ctx, servers);
  const states = candidates.map((candidate) => buildState(ctx, reach, origins, candidate, servers, perConnection)).filter((state) => !writesLandInModuleValues(ctx, state));
  linkHolders(ctx, states);
  return states;
}

/**
 * An object a server factory builds only to hand module values to its tools (`const toolContext = { sessions,
 * log }`, where `sessions` is the module's map of shells under ids the tools pass): the tools change those values
 * through it (`context.sessions.set(id, shell)`), never the object's own properties, so it keeps nothing per
 * connection; the module values are state of their own.
 */
function writesLandInModuleValues(ctx: AnalysisContext, state: StateVariable): boolean {
  if (state.kind !== 'factory-closure' || !Node.isVariableDeclaration(state.declaration)) return false;
  const initializer = state.declaration.getInitializer();
  const literal = initializer && unwrap(initializer);
  if (!literal || !Node.isObjectLiteralExpression(literal)) return false;
  const writes = state.accesses.filter((access) => access.mode === 'write');
  return (
    writes.length > 0 &&
    writes.every((access) => {
      const property = access.node.getParent();
      if (!property || !Node.isPropertyAccessExpression(property) || property.getExpression() !== access.node) return false;
      // `context.sessions = …` (or `++`, `delete`) changes the object itself.
      const outer = property.getParent();
      if (outer && Node.isBinaryExpression(outer) && outer.getLeft() === property) return false;
      if (outer && (Node.isPrefixUnaryExpression(outer) || Node.isPostfixUnaryExpression(outer) || Node.isDeleteExpression(outer))) return false;
      return holdsModuleValue(ctx, literal, property.getName());
    })
  );
}

/** Whether an object literal's property is set from a module-level binding: `{ sessions }` or `{ sessions: shells }`. */
function holdsModuleValue(ctx: AnalysisContext, literal: ObjectLiteralExpression, name: string): boolean {
  const member = literal.getProperty(name);
  const value = member && Node.isShorthandPropertyAssignment(member) ? member.getNameNode() : member && Node.isPropertyAssignment(member) ? member.getInitializer() : undefined;
  const inner = value && unwrap(value);
  if (!inner || !Node.isIdentifier(inner)) return false;
  const binding = ctx.resolver.resolve(inner);
  if (binding?.kind !== 'declaration') return false;
  return Node.isVariableDeclaration(binding.node) && binding.node.getVariableStatement()?.getParent() === binding.node.getSourceFile();
}

function variableCandidate(declaration: VariableDeclaration, kind: StateKind, file: string, serverHolders: ReadonlySet<Node>): Candidate | undefined {
  const nameNode = declaration.getNameNode();
  if (!Node.isIdentifier(nameNode) || serverHolders.has(declaration)) return undefined;
  const mutableBinding = declaration.getVariableStatement()?.getDeclarationKind() !== 'const';
  const initializer = declaration.getInitializer();
  const value = initializer ? unwrap(initializer) : undefined;
  // `new Map<string, Transport>()` carries its types on the constructor call.
  const typeText = declaration.getTypeNode()?.getText() ?? (value && Node.isNewExpression(value) ? value.getTypeArguments().map((t) => t.getText()).join(', ') : '');
  const container = containerOf(value, typeText);
  if (value && (isFunctionNode(value) || Node.isClassExpression(value) || isInstanceOf(value, [...SERVER_CLASSES.map((c) => c.name), ...Object.keys(TRANSPORT_CLASSES)]))) return undefined;
  if (value && Node.isCallExpression(value) && value.getExpression().getText() === 'require') return undefined;
  if (!mutableBinding && !container) return undefined;
  if (container === 'object' && value && Node.isObjectLiteralExpression(value) && value.getProperties().length > 0 && value.getProperties().every((p) => Node.isMethodDeclaration(p))) {
    return undefined;
  }
  return { name: nameNode.getText(), kind, file, declaration, container, mutableBinding, typeText };
}

function isInstanceOf(node: Node, classNames: readonly string[]): boolean {
  if (!Node.isNewExpression(node)) return false;
  const callee = unwrap(node.getExpression());
  const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
  return classNames.includes(name);
}

function containerOf(value: Node | undefined, typeText: string): StateVariable['container'] {
  if (value && Node.isNewExpression(value)) {
    const name = unwrap(value.getExpression()).getText();
    if (CONTAINER_CONSTRUCTORS.includes(name)) return name === 'Array' ? 'array' : /Set$/.test(name) ? 'set' : 'map';
  }
  if (value && Node.isArrayLiteralExpression(value)) return 'array';
  if (value && Node.isObjectLiteralExpression(value)) return 'object';
  if (value && Node.isCallExpression(value) && /^Object\.create$/.test(value.getExpression().getText())) return 'object';
  if (CONTAINER_TYPES.test(typeText)) return /^(?:Weak)?Set\b/.test(typeText) ? 'set' : /\[\]$|^Array\b/.test(typeText) ? 'array' : typeText.startsWith('{') || typeText.startsWith('Record') ? 'object' : 'map';
  return undefined;
}

/** Classes whose fields can be state: they own a server, hold registrations, or serve handlers' calls. */
function stateClasses(
  ctx: AnalysisContext,
  reach: Reach,
  servers: readonly ServerInstance[],
  registrations: readonly Registration[],
): Array<ClassDeclaration | ClassExpression> {
  const out = new Set<ClassDeclaration | ClassExpression>();
  for (const server of servers) if (server.ownerClass) out.add(server.ownerClass);
  for (const registration of registrations) if (registration.ownerClass) out.add(registration.ownerClass);
  for (const info of ctx.files) {
    for (const owner of ctx.nodesOf(info).classes) {
      if (out.has(owner)) continue;
      if (owner.getMethods().some((m) => reach.registrationsAt(m).length > 0) && !createdPerCall(ctx, reach, owner)) out.add(owner);
    }
  }
  return [...out];
}

function fieldCandidates(ctx: AnalysisContext, owner: ClassDeclaration | ClassExpression, servers: readonly ServerInstance[]): Candidate[] {
  const file = ctx.fileInfo(owner)?.file ?? '';
  const serverFields = new Set(servers.filter((s) => s.ownerClass === owner && s.holder?.kind === 'field').map((s) => s.holder?.name));
  const byName = new Map<string, Candidate>();
  for (const property of owner.getProperties()) {
    if (property.isStatic()) continue;
    const name = property.getName();
    const initializer = property.getInitializer();
    const value = initializer ? unwrap(initializer) : undefined;
    if (serverFields.has(name) || (value && (isFunctionNode(value) || isInstanceOf(value, [...SERVER_CLASSES.map((c) => c.name), ...Object.keys(TRANSPORT_CLASSES)])))) continue;
    const typeText = property.getTypeNode()?.getText() ?? (value && Node.isNewExpression(value) ? value.getTypeArguments().map((t) => t.getText()).join(', ') : '');
    // `private state: ServerState;` set in the constructor from `createState()`: an object of state like a literal.
    const assigned = value ?? constructorValue(owner, name);
    const container = containerOf(value, typeText) ?? (assigned && returnsObjectLiteral(ctx, assigned) ? 'object' : undefined);
    byName.set(name, { name, kind: 'class-field', file, declaration: property, container, mutableBinding: !property.isReadonly(), ownerClass: owner, typeText });
  }
  for (const ctor of owner.getConstructors()) {
    for (const assignment of ctor.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
      const left = assignment.getLeft();
      if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken || !Node.isPropertyAccessExpression(left)) continue;
      if (left.getExpression().getKind() !== SyntaxKind.ThisKeyword) continue;
      const name = left.getName();
      if (byName.has(name) || serverFields.has(name)) continue;
      const value = unwrap(assignment.getRight());
      if (isFunctionNode(value) || isInstanceOf(value, [...SERVER_CLASSES.map((c) => c.name), ...Object.keys(TRANSPORT_CLASSES)])) continue;
      byName.set(name, { name, kind: 'class-field', file, declaration: assignment, container: containerOf(value, ''), mutableBinding: true, ownerClass: owner, typeText: '' });
    }
  }
  return [...byName.values()];
}

/** What the constructor assigns to `this.name`, when it does so once. */
function constructorValue(owner: ClassDeclaration | ClassExpression, name: string): Node | undefined {
  const values = owner.getConstructors().flatMap((ctor) =>
    ctor.getDescendantsOfKind(SyntaxKind.BinaryExpression).filter((b) => b.getOperatorToken().getKind() === SyntaxKind.EqualsToken && b.getLeft().getText() === `this.${name}`).map((b) => unwrap(b.getRight())),
  );
  return values.length === 1 ? values[0] : undefined;
}

/** `createState()`: a call of a project function whose one `return` is an object literal. */
function returnsObjectLiteral(ctx: AnalysisContext, value: Node): boolean {
  if (!Node.isCallExpression(value)) return false;
  const fn = resolveFunction(ctx.resolver, value.getExpression());
  const body = fn?.getBody();
  if (!body) return false;
  if (!Node.isBlock(body)) return Node.isObjectLiteralExpression(unwrap(body));
  const returns = body.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((r) => enclosingFunction(r) === fn);
  return returns.length === 1 && returns[0]!.getExpression() !== undefined && Node.isObjectLiteralExpression(unwrap(returns[0]!.getExpression()!));
}

function buildState(
  ctx: AnalysisContext,
  reach: Reach,
  origins: Origins,
  candidate: Candidate,
  servers: readonly ServerInstance[],
  perConnection: ReadonlySet<ClassDeclaration | ClassExpression>,
): StateVariable {
  const direct = candidate.kind === 'class-field' ? fieldReferences(ctx, candidate) : variableReferences(ctx, candidate);
  // An object of state handed to the functions that register tools (`registerTools(server, state)`) is used there.
  const handed = candidate.container === 'object' ? handedUses(ctx, direct) : [];
  const references = [...direct, ...handed.map((use) => use.node)];
  const initial = initialLiteral(candidate);
  const accesses = references.map((node) => classify(ctx, reach, origins, node, candidate.file, initial));
  // Code handed the object runs for the registrations that hand it over: tool code shared by several entries
  // (each with an object of its own) uses each entry's object only for that entry's tools.
  for (const [index, use] of handed.entries()) {
    const access = accesses[direct.length + index]!;
    const handing = new Set(reach.registrationsAt(use.via));
    if (handing.size > 0) access.by = access.by.filter((registration) => handing.has(registration));
  }
  // A routing map holds many transports: a container, or something written under keys. One `let transport` is not one.
  const keyedWrites = accesses.filter((a) => a.mode === 'write' && a.op === 'keyed');
  const holdsTransports =
    (candidate.container !== undefined || keyedWrites.length > 0) &&
    // `config.transport = options.transport` sets a fixed property: a setting, not transports stored under ids.
    (/Transport\b/.test(candidate.typeText) || keyedWrites.some((a) => a.keyOrigin !== 'constant' && valueLooksLike(ctx, a, /transport/i, Object.keys(TRANSPORT_CLASSES))));
  const sessionKey = accesses.find((a) => a.keyOrigin === 'session')?.key;
  const holdsUpstreams =
    sessionKey !== undefined &&
    !holdsTransports &&
    (GATEWAY_NAMES.test(candidate.name) || accesses.some((a) => a.mode === 'write' && valueLooksLike(ctx, a, /upstream|backend/i, UPSTREAM_CLASSES)));
  const state: StateVariable = {
    name: candidate.name,
    kind: candidate.kind,
    file: candidate.file,
    declaration: candidate.declaration,
    factory: candidate.factory,
    ownerClass: candidate.ownerClass,
    container: candidate.container,
    mutableBinding: candidate.mutableBinding,
    sessionKey,
    holdsTransports,
    holdsUpstreams,
    perConnectionClass: candidate.ownerClass
      ? (servers.some((s) => s.ownerClass === candidate.ownerClass) && !onlyModuleInstances(ctx, candidate.ownerClass)) || perConnection.has(candidate.ownerClass)
      : undefined,
    accesses,
    readers: labels(accesses.filter((a) => a.mode === 'read' || a.alsoReads === true)),
    writers: labels(accesses.filter((a) => a.mode === 'write')),
    dependence: 'unwritten',
  };
  state.dependence = dependenceOf(state);
  if (state.dependence === 'implicit') state.sharedPurpose = sharedPurposeOf(ctx, reach, origins, state);
  if (state.dependence === 'implicit' && holdsExplicitIds(ctx, state)) state.explicitIds = true;
  return state;
}

/** Property names that identify a record in a list (`{ id, … }`, `{ forwardId, … }`). */
const RECORD_ID = /^(?:id|key|[a-z]\w*Id|\w+_id)$/;
/** A predicate comparing a record's id (`(r) => r.id === id`), or excluding by it (`!==`). */
const MATCHES_ID = /\.(?:id|key|\w+Id|\w+_id)\s*===?/;
const EXCLUDES_ID = /\.(?:id|key|\w+Id|\w+_id)\s*!==?/;

/**
 * A list whose tool writes only add records carrying an id (`push({ id: …, … })`) or drop them by it
 * (`list = list.filter((r) => r.id !== id)`), or empty it: the records are reached by id, like a keyed map.
 */
function isIdRegistryList(state: StateVariable, writes: readonly StateAccess[]): boolean {
  if (state.container !== 'array') return false;
  // A tool that reads every record (a listing) shows one caller what the others added: that is a decision.
  const reads = state.accesses.filter((access) => access.mode === 'read' && access.by.length > 0);
  if (!reads.every((access) => lookupById(access.node))) return false;
  return writes.every((access) => {
    if (access.reset) return true;
    if (access.op === 'mutate') return recordWithId(access.value);
    if (access.op !== 'assign' || !access.value) return false;
    const value = unwrap(access.value);
    if (!Node.isCallExpression(value)) return false;
    const callee = value.getExpression();
    return Node.isPropertyAccessExpression(callee) && callee.getName() === 'filter' && unwrap(callee.getExpression()).getText() === access.node.getText() && EXCLUDES_ID.test(value.getArguments()[0]?.getText() ?? '');
  });
}

/** `list.find((r) => r.id === id)` (or `findIndex`, `some`): one record reached by its id. */
function lookupById(reference: Node): boolean {
  const access = outermostWrapper(reference).getParent();
  const call = access?.getParent();
  if (!access || !Node.isPropertyAccessExpression(access) || !call || !Node.isCallExpression(call) || call.getExpression() !== access) return false;
  const predicate = call.getArguments()[0]?.getText() ?? '';
  if (['find', 'findIndex', 'some'].includes(access.getName())) return MATCHES_ID.test(predicate);
  // `list = list.filter((r) => r.id !== id)`: the removal by id, read to be written back.
  const assignment = call.getParent();
  return access.getName() === 'filter' && EXCLUDES_ID.test(predicate) && !!assignment && Node.isBinaryExpression(assignment) && assignment.getRight() === call;
}

/** A record with an id property: an object literal, or a variable or parameter whose type has one (`pf: PortForward`). */
function recordWithId(value: Node | undefined): boolean {
  const record = value ? unwrap(value) : undefined;
  if (record && Node.isObjectLiteralExpression(record)) {
    return record.getProperties().some((property) => (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)) && RECORD_ID.test(property.getName()));
  }
  if (!record || !Node.isIdentifier(record)) return false;
  const type = record.getType();
  return type.isObject() && type.getProperties().some((property) => RECORD_ID.test(property.getName()));
}

/**
 * Per-instance state whose entries are created under ids the server mints (`sessions.set(randomUUID(), …)`) and
 * otherwise only reached by key: the ids are handles already, only the registry lives per connection.
 */
function holdsExplicitIds(ctx: AnalysisContext, state: StateVariable): boolean {
  const perInstance = state.kind === 'factory-closure' || (state.kind === 'class-field' && state.perConnectionClass === true);
  if (!perInstance || state.container === undefined) return false;
  const writes = state.accesses.filter((a) => a.mode === 'write' && a.by.length > 0 && !(a.op === 'mutate' && a.reset));
  if (writes.some((a) => a.op !== 'keyed' || a.keyOrigin === 'constant' || a.keyOrigin === 'session')) return false;
  if (writes.some((a) => a.keyOrigin === 'minted' && !a.reset && a.value !== undefined)) return true;
  // Records the callers name (`ssh_connect({ name })` stores a session object, `ssh_exec({ session })` finds it):
  // some tool looks one up by the id it was passed, none under a fixed key or the session's. Values kept per
  // name (`scores[player] += points`) are not records: they are the conversation's own data.
  const lookups = state.accesses.filter((a) => a.by.length > 0 && (a.op === 'keyed-read' || a.op === 'keyed'));
  return (
    writes.some((a) => a.value !== undefined && isRecordValue(ctx, a.value)) &&
    lookups.some((a) => a.keyOrigin === 'argument') &&
    !lookups.some((a) => a.keyOrigin === 'constant' || a.keyOrigin === 'session')
  );
}

/** An object stored whole: `{ … }`, `new Session(…)`, or a local holding one. */
function isRecordValue(ctx: AnalysisContext, value: Node): boolean {
  const inner = unwrap(value);
  if (Node.isObjectLiteralExpression(inner) || Node.isNewExpression(inner)) return true;
  if (!Node.isIdentifier(inner)) return false;
  const binding = ctx.resolver.resolve(inner);
  const initializer = binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
  return initializer !== undefined && (Node.isObjectLiteralExpression(unwrap(initializer)) || Node.isNewExpression(unwrap(initializer)));
}

function labels(accesses: readonly StateAccess[]): string[] {
  return [...new Set(accesses.flatMap((a) => a.by.map((r) => r.label)))];
}

/** Whether a write stores something that looks like a transport/upstream: by name, by constructor, or a variable built by one. */
function valueLooksLike(ctx: AnalysisContext, access: StateAccess, name: RegExp, classes: readonly string[]): boolean {
  const value = access.value;
  if (!value) return false;
  const inner = unwrap(value);
  if (isInstanceOf(inner, classes)) return true;
  if (Node.isPropertyAccessExpression(inner)) return name.test(inner.getText());
  if (!Node.isIdentifier(inner)) return false;
  if (name.test(inner.getText())) return true;
  const binding = ctx.resolver.resolve(inner);
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) return false;
  const initializer = binding.node.getInitializer();
  return initializer !== undefined && isInstanceOf(unwrap(initializer), classes);
}

/**
 * Whether every `new Owner(…)` in the project runs at module level: one instance per process, however many
 * connections there are. A class never instantiated here (exported for an entry elsewhere) counts as per connection.
 */
function onlyModuleInstances(ctx: AnalysisContext, owner: ClassDeclaration | ClassExpression): boolean {
  const sites = instantiations(ctx, owner);
  return sites.length > 0 && sites.every((site) => enclosingFunction(site) === undefined);
}

/**
 * Every instance is made while a tool call runs and held in a local of that call (`const bridge = new
 * ProgressBridge(…)` in the handler's helper): its fields live as long as the call, not between calls.
 */
function createdPerCall(ctx: AnalysisContext, reach: Reach, owner: ClassDeclaration | ClassExpression): boolean {
  const sites = instantiations(ctx, owner);
  return (
    sites.length > 0 &&
    sites.every((site) => {
      const holder = outermostWrapper(site).getParent();
      const fn = enclosingFunction(site);
      if (!fn || !holder || !Node.isVariableDeclaration(holder)) return false;
      // Built in a call handlers make, or in any function that drops it when it returns (a decoder per chunk a
      // socket's `data` handler gets); the classes that own servers or registrations never get here.
      if (reach.registrationsAt(site).length === 0 && capturedInside(ctx, holder, fn)) return false;
      return staysLocal(ctx, holder, fn);
    })
  );
}

/**
 * Every instance is built for a conversation's record (`sessions.instance('guard', () => new Guard(…))` on a scope
 * from `defineScope`, as migrate writes it, or `connection.client = new Client(…)` on the scope's current record):
 * one per record, behind the record's handle already.
 */
function heldPerRecord(ctx: AnalysisContext, owner: ClassDeclaration | ClassExpression): boolean {
  const sites = instantiations(ctx, owner);
  // What a name was declared with (`const connections = defineScope(…)`).
  const initializerOf = (id: Node): Node | undefined => {
    const binding = Node.isIdentifier(id) ? ctx.resolver.resolve(id) : undefined;
    return binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
  };
  const isScope = (id: Node): boolean => {
    const initializer = initializerOf(id);
    return initializer !== undefined && Node.isCallExpression(initializer) && initializer.getExpression().getText() === SCOPE_DEFINER;
  };
  // `const connection = connections.state`: the current record.
  const isRecord = (id: Node): boolean => {
    const initializer = initializerOf(id);
    return initializer !== undefined && Node.isPropertyAccessExpression(initializer) && initializer.getName() === SCOPE_STATE_PROPERTY && isScope(initializer.getExpression());
  };
  return (
    sites.length > 0 &&
    sites.every((site) => {
      const builder = outermostWrapper(site).getParent();
      // `connection.client = new Client(…)`: kept in the current record.
      if (builder && Node.isBinaryExpression(builder) && builder.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
        const left = builder.getLeft();
        return Node.isPropertyAccessExpression(left) && isRecord(left.getExpression());
      }
      const call = builder && Node.isArrowFunction(builder) ? builder.getParent() : undefined;
      if (!call || !Node.isCallExpression(call) || call.getArguments()[1] !== builder) return false;
      const callee = call.getExpression();
      return Node.isPropertyAccessExpression(callee) && callee.getName() === SCOPE_INSTANCE_METHOD && isScope(callee.getExpression());
    })
  );
}

/** A local used only through its members (`bridge.report(…)`, `bridge.state`): never stored, passed on or returned. */
/** Whether a function nested in `fn` uses the local (it could then outlive the call). */
function capturedInside(ctx: AnalysisContext, local: VariableDeclaration, fn: Node): boolean {
  return ctx.resolver.usesOf(local, fn).some((id) => enclosingFunction(id) !== fn);
}

function staysLocal(ctx: AnalysisContext, local: VariableDeclaration, fn: Node): boolean {
  if (!Node.isIdentifier(local.getNameNode())) return false;
  return ctx.resolver.usesOf(local, fn).every((id) => {
    const parent = id.getParent();
    return Node.isPropertyAccessExpression(parent) && parent.getExpression() === id;
  });
}

/** The `new Owner(…)` expressions across the project. */
function instantiations(ctx: AnalysisContext, owner: ClassDeclaration | ClassExpression): Node[] {
  const name = owner.getName();
  if (!name) return [];
  const sites: Node[] = [];
  for (const info of ctx.files) {
    if (!ctx.resolver.mentions(info.sourceFile, name)) continue;
    for (const identifier of ctx.resolver.identifiersNamed(info.sourceFile, name)) {
      const parent = identifier.getParent();
      if (!parent || !Node.isNewExpression(parent) || parent.getExpression() !== identifier) continue;
      const binding = ctx.resolver.resolve(identifier);
      if (binding?.kind === 'declaration' && binding.node === owner) sites.push(parent);
    }
  }
  return sites;
}

/** Identifiers (and `module.name` accesses) across the project that resolve to the candidate's declaration. */
function variableReferences(ctx: AnalysisContext, candidate: Candidate): Node[] {
  const declaration = candidate.declaration as VariableDeclaration;
  const exported = candidate.kind === 'module' && (declaration.getVariableStatement()?.hasExportKeyword() || exportedByList(declaration));
  const files = exported ? ctx.files : ctx.files.filter((f) => f.file === candidate.file);
  const out: Node[] = [];
  for (const info of files) {
    if (!ctx.resolver.mentions(info.sourceFile, candidate.name)) continue;
    for (const identifier of ctx.resolver.identifiersNamed(info.sourceFile, candidate.name)) {
      if (candidate.factory && !identifier.getAncestors().includes(candidate.factory.node)) continue;
      const reference = referenceNode(ctx, identifier, candidate);
      if (reference) out.push(reference);
    }
  }
  return out;
}

/**
 * Fields of objects another piece of state holds (`consoleLogsTool = new ConsoleLogsTool()`, a Tab pushed into
 * `this._tabs`) go wherever that state goes: each such field points at its holder.
 */
function linkHolders(ctx: AnalysisContext, states: StateVariable[]): void {
  const heldBy = new Map<ClassDeclaration | ClassExpression, StateVariable>();
  for (const state of states) {
    for (const access of state.accesses) {
      if (access.mode !== 'write' || !access.value) continue;
      const cls = builtValue(ctx, access.value);
      if (cls && !heldBy.has(cls)) heldBy.set(cls, state);
    }
  }
  for (const state of states) {
    const holder = state.kind === 'class-field' && state.ownerClass ? heldBy.get(state.ownerClass) : undefined;
    if (holder && holder !== state && holder.ownerClass !== state.ownerClass) state.heldBy = holder;
  }
}

/** The project class a value is an instance of when it is built right there: `new C()`, or a local just set to one. */
function builtValue(ctx: AnalysisContext, value: Node): ClassDeclaration | ClassExpression | undefined {
  const inner = unwrap(value);
  if (Node.isNewExpression(inner)) return classOfNew(ctx.resolver, inner);
  if (!Node.isIdentifier(inner)) return undefined;
  const binding = ctx.resolver.resolve(inner);
  const initializer = binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
  return initializer && Node.isNewExpression(unwrap(initializer)) ? classOfNew(ctx.resolver, unwrap(initializer)) : undefined;
}

/** `let current = …; export { current }`: exported by an export list of its own module. */
function exportedByList(declaration: VariableDeclaration): boolean {
  const name = declaration.getName();
  return declaration
    .getSourceFile()
    .getExportDeclarations()
    .some((exports) => !exports.getModuleSpecifier() && exports.getNamedExports().some((specifier) => specifier.getName() === name));
}

function referenceNode(ctx: AnalysisContext, identifier: Identifier, candidate: Candidate): Node | undefined {
  const parent = identifier.getParent();
  if (!parent || parent === candidate.declaration) return undefined;
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) {
    // `store.carts` where `store` is `import * as store from './carts.js'`
    const receiver = unwrap(parent.getExpression());
    if (!Node.isIdentifier(receiver)) return undefined;
    const binding = ctx.resolver.resolve(receiver);
    return binding?.kind === 'module' && binding.file === candidate.file ? parent : undefined;
  }
  if (
    (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) ||
    Node.isExportSpecifier(parent) ||
    Node.isImportSpecifier(parent) ||
    Node.isTypeReference(parent) ||
    Node.isTypeQuery(parent) ||
    Node.isQualifiedName(parent) ||
    (Node.isBindingElement(parent) && parent.getPropertyNameNode() === identifier) ||
    ((Node.isMethodDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isPropertySignature(parent)) && parent.getNameNode() === identifier)
  ) {
    return undefined;
  }
  const binding = ctx.resolver.resolve(identifier);
  return binding?.kind === 'declaration' && binding.node === candidate.declaration ? identifier : undefined;
}

/**
 * Where an object is handed to a project function as an argument (`setupHandlers(server, state)`,
 * `handleToolCall(name, args, state)`), that function's uses of the parameter are uses of the object:
 * `state.screenshots.set(…)` there writes it. Followed two calls deep; the argument itself is no use.
 */
function handedUses(ctx: AnalysisContext, references: readonly Node[], depth = 0, handedAt?: Node): Array<{ node: Node; via: Node }> {
  if (depth > 1) return [];
  const out: Array<{ node: Node; via: Node }> = [];
  for (const reference of references) {
    const value = outermostWrapper(reference);
    const call = value.getParent();
    if (!call || !Node.isCallExpression(call)) continue;
    const index = call.getArguments().indexOf(value as never);
    if (index < 0) continue;
    const fn = resolveFunction(ctx.resolver, call.getExpression());
    // `tool.handler(args, context)` over a table of tool objects: every handler is handed the object.
    for (const target of fn ? [fn] : elementFunctions(ctx.resolver, call.getExpression())) {
      const parameter = target.getParameters()[index];
      const body = target.getBody();
      if (!parameter || !body || !Node.isIdentifier(parameter.getNameNode()) || parameter.isRestParameter()) continue;
      const uses = ctx.resolver.usesOf(parameter, body);
      // A parameter the function reassigns holds something else by then.
      if (uses.some((use) => isWriteTarget(use))) continue;
      // Where the object first left its module is what decides which registrations hand it over.
      const via = handedAt ?? call;
      out.push(...uses.map((node) => ({ node, via })), ...handedUses(ctx, uses, depth + 1, via));
    }
  }
  return out;
}

/**
 * `this.name` accesses inside the owning class, and `projects.name` where a variable or parameter holds an instance
 * of it (a module the class hands itself to: `registerFolderTools(this)`, then `projects.workspace = …` there).
 */
function fieldReferences(ctx: AnalysisContext, candidate: Candidate): Node[] {
  const owner = candidate.ownerClass;
  if (!owner) return [];
  const own = owner
    .getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)
    .filter((access) => access.getName() === candidate.name && access.getExpression().getKind() === SyntaxKind.ThisKeyword);
  const handed = (accessesByName(ctx).get(candidate.name) ?? []).filter((access) => receiverClasses(ctx, access.getExpression() as Identifier).includes(owner));
  return [...own, ...handed];
}

/** Per analysis: `x.name` accesses on a plain identifier, by name (one pass over the project, not one per field). */
const accessIndexes = new WeakMap<AnalysisContext, Map<string, PropertyAccessExpression[]>>();

function accessesByName(ctx: AnalysisContext): Map<string, PropertyAccessExpression[]> {
  let index = accessIndexes.get(ctx);
  if (index) return index;
  index = new Map();
  for (const info of ctx.files) {
    for (const access of info.sourceFile.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
      if (!Node.isIdentifier(access.getExpression())) continue;
      const name = access.getName();
      index.set(name, [...(index.get(name) ?? []), access]);
    }
  }
  accessIndexes.set(ctx, index);
  return index;
}

/** Per analysis: the classes an identifier's binding holds, worked out once per binding (many accesses share one). */
const receiverMemos = new WeakMap<AnalysisContext, Map<Node, ReturnType<typeof classesOfReceiver>>>();

function receiverClasses(ctx: AnalysisContext, receiver: Identifier): ReturnType<typeof classesOfReceiver> {
  const binding = ctx.resolver.resolve(receiver);
  // A namespace import or a package's export is no instance of a project class.
  if (!binding || (binding.kind !== 'declaration' && binding.kind !== 'expression')) return [];
  let memo = receiverMemos.get(ctx);
  if (!memo) receiverMemos.set(ctx, (memo = new Map()));
  let classes = memo.get(binding.node);
  if (!classes) memo.set(binding.node, (classes = classesOfReceiver(ctx, receiver)));
  return classes;
}

/** Read or write, and through which key. */
/** The declaration's initial value when it is a string or number literal (`let userId = 'unknown'`): a "not set yet" sentinel. */
function initialLiteral(candidate: Candidate): string | undefined {
  const declaration = candidate.declaration;
  const initializer =
    Node.isVariableDeclaration(declaration) || Node.isPropertyDeclaration(declaration)
      ? declaration.getInitializer()
      : Node.isBinaryExpression(declaration)
        ? declaration.getRight()
        : undefined;
  const value = initializer ? unwrap(initializer) : undefined;
  return value && (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value) || Node.isNumericLiteral(value)) ? value.getText() : undefined;
}

function classify(ctx: AnalysisContext, reach: Reach, origins: Origins, reference: Node, file: string, initial: string | undefined): StateAccess {
  const base = { node: reference, file: ctx.fileInfo(reference)?.file ?? file, by: reach.registrationsAt(reference), byOther: reach.othersAt(reference) };
  const outer = outermostWrapper(reference);
  const parent = outer.getParent();
  if (isWriteTarget(reference)) {
    const assignment = Node.isBinaryExpression(parent) ? parent : undefined;
    const value = assignment?.getRight();
    const operator = assignment?.getOperatorToken().getKind();
    const lazy = operator === SyntaxKind.QuestionQuestionEqualsToken || operator === SyntaxKind.BarBarEqualsToken || isLazyGuarded(reference, initial);
    return {
      ...base,
      mode: 'write',
      op: 'assign',
      value,
      valueFromInput: origins.fromInput(value),
      ...(value !== undefined && origins.isMinted(value) ? { valueMinted: true } : {}),
      reset: operator === SyntaxKind.EqualsToken && isNullish(value),
      lazyInit: lazy,
      inGetter: lazy && returnsItself(reference),
    };
  }
  if (parent && Node.isPropertyAccessExpression(parent) && parent.getExpression() === outer) {
    const name = parent.getName();
    const call = parent.getParent();
    if (call && Node.isCallExpression(call) && call.getExpression() === parent) {
      const args = call.getArguments();
      // `this.cursor.add(text)` on an object of the project's own class (the call resolves to its method): its
      // fields are state of their own, the call is no container write however the method is called.
      if ((KEYED_METHODS.includes(name) || MUTATING_METHODS.includes(name)) && resolveFunction(ctx.resolver, parent) !== undefined) return { ...base, mode: 'read', op: 'read' };
      if (KEYED_METHODS.includes(name) && args[0]) {
        const key = args[0];
        const keyOrigin = origins.origin(key);
        if (KEYED_WRITES.includes(name)) return { ...base, mode: 'write', op: 'keyed', key, keyOrigin, value: args[1], valueFromInput: origins.fromInput(args[1]) };
        if (name === 'get' && (isMutatedChain(call) || aliasMutated(ctx, call))) return { ...base, mode: 'write', op: 'keyed', key, keyOrigin, alsoReads: true };
        return { ...base, mode: 'read', op: 'keyed-read', key, keyOrigin };
      }
      if (name === 'add' && args[0]) return { ...base, mode: 'write', op: 'keyed', key: args[0], keyOrigin: origins.origin(args[0]), value: args[0], valueFromInput: origins.fromInput(args[0]) };
      // `registry.clear()` empties it, like `= new Map()`: a reset, not a value set for later calls.
      if (name === 'clear') return { ...base, mode: 'write', op: 'mutate', reset: true };
      if (MUTATING_METHODS.includes(name)) return { ...base, mode: 'write', op: 'mutate', value: args[0], valueFromInput: origins.fromInput(args[0]) };
      return { ...base, mode: 'read', op: 'read' };
    }
    if (isWriteTarget(parent)) {
      const assignment = outermostWrapper(parent).getParent();
      const value = assignment && Node.isBinaryExpression(assignment) ? assignment.getRight() : undefined;
      return { ...base, mode: 'write', op: 'keyed', key: parent.getNameNode(), keyOrigin: 'constant', value, valueFromInput: origins.fromInput(value), reset: isNullish(value) && value !== undefined };
    }
    if (isMutatedChain(parent)) return { ...base, mode: 'write', op: 'keyed', key: parent.getNameNode(), keyOrigin: 'constant' };
    return { ...base, mode: 'read', op: 'read' };
  }
  if (parent && Node.isElementAccessExpression(parent) && parent.getExpression() === outer) {
    const key = parent.getArgumentExpression();
    const keyOrigin: KeyOrigin | undefined = key ? origins.origin(key) : undefined;
    if (isWriteTarget(parent)) {
      const assignment = outermostWrapper(parent).getParent();
      const value = assignment && Node.isBinaryExpression(assignment) ? assignment.getRight() : undefined;
      return { ...base, mode: 'write', op: 'keyed', key, keyOrigin, value, valueFromInput: origins.fromInput(value) };
    }
    if (isMutatedChain(parent) || aliasMutated(ctx, parent)) return { ...base, mode: 'write', op: 'keyed', key, keyOrigin, alsoReads: true };
    return { ...base, mode: 'read', op: 'keyed-read', key, keyOrigin };
  }
  if (aliasMutated(ctx, reference)) return { ...base, mode: 'write', op: 'mutate' };
  return { ...base, mode: 'read', op: 'read' };
}

/** `x.get(k).push(…)`, `x[k].items = …`, `x.list.push(…)`: the value reached from `node` is changed in place. */
function isMutatedChain(node: Node): boolean {
  let current = outermostWrapper(node);
  for (let i = 0; i < 6; i++) {
    const parent = current.getParent();
    if (!parent) return false;
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === current) {
      const call = parent.getParent();
      if (call && Node.isCallExpression(call) && call.getExpression() === parent) {
        return MUTATING_METHODS.includes(parent.getName()) && !['get', 'has'].includes(parent.getName());
      }
      if (isWriteTarget(parent)) return true;
      current = outermostWrapper(parent);
      continue;
    }
    if (Node.isElementAccessExpression(parent) && parent.getExpression() === current) {
      if (isWriteTarget(parent)) return true;
      current = outermostWrapper(parent);
      continue;
    }
    return false;
  }
  return false;
}

/** `const cart = carts.get(id) ?? []; cart.push(…)`: the local alias is changed in place. */
function aliasMutated(ctx: AnalysisContext, node: Node): boolean {
  let current = outermostWrapper(node);
  let parent = current.getParent();
  while (parent && Node.isBinaryExpression(parent) && parent.getLeft() === current && ['??', '||'].includes(parent.getOperatorToken().getText())) {
    current = outermostWrapper(parent);
    parent = current.getParent();
  }
  if (!parent || !Node.isVariableDeclaration(parent) || parent.getInitializer() !== current) return false;
  const scope = enclosingFunction(parent) ?? parent.getSourceFile();
  return ctx.resolver.usesOf(parent, scope).some((identifier) => isMutatedChain(identifier));
}

/**
 * Lazy initialisation of a value computed once: `if (!x) x = …`, `if (x == null) { x = … }`, `x = x ?? …`, a
 * guard on the initial sentinel (`if (userId === 'unknown') userId = …` where `let userId = 'unknown'`), or
 * an early return while it is set (`if (x) return x; x = …`).
 */
function isLazyGuarded(reference: Node, initial: string | undefined): boolean {
  const text = reference.getText();
  const assignment = outermostWrapper(reference).getParent();
  if (assignment && Node.isBinaryExpression(assignment)) {
    const right = unwrap(assignment.getRight());
    if (Node.isBinaryExpression(right) && ['??', '||'].includes(right.getOperatorToken().getText()) && unwrap(right.getLeft()).getText() === text) return true;
  }
  const escaped = escapeRegExp(text);
  const sentinel = initial ? `|\\b${escaped}\\s*===?\\s*${escapeRegExp(initial)}(?![\\w.])` : '';
  const guard = new RegExp(`!\\s*${escaped}\\b|\\b${escaped}\\s*(?:===?|!==?)\\s*(?:null|undefined)\\b|typeof\\s+${escaped}\\b${sentinel}`);
  const whileSet = new RegExp(`^(?:${escaped}|${escaped}\\s*!==?\\s*(?:null|undefined))$`);
  for (let current: Node = reference; !isFunctionNode(current) || invokedInPlace(current); ) {
    const parent = current.getParent();
    if (!parent) return false;
    if (Node.isIfStatement(parent) && guard.test(parent.getExpression().getText())) return true;
    if (Node.isBlock(parent) && earlierReturnWhileSet(parent, current, whileSet)) return true;
    current = parent;
  }
  return false;
}

/** `(async () => { … })()`: a function that runs where it is written, inside whatever guards that place. */
function invokedInPlace(fn: Node): boolean {
  let outer = fn;
  while (outer.getParent() && Node.isParenthesizedExpression(outer.getParent()!)) outer = outer.getParent()!;
  const call = outer.getParent();
  return call !== undefined && Node.isCallExpression(call) && call.getExpression() === outer;
}

/** An `if (x) return …` among the statements of `block` before `statement`. */
function earlierReturnWhileSet(block: Block, statement: Node, whileSet: RegExp): boolean {
  for (const earlier of block.getStatements()) {
    if (earlier === statement) return false;
    if (!Node.isIfStatement(earlier) || earlier.getElseStatement() || !whileSet.test(earlier.getExpression().getText().trim())) continue;
    const then = earlier.getThenStatement();
    const last = Node.isBlock(then) ? then.getStatements().at(-1) : then;
    if (last && Node.isReturnStatement(last)) return true;
  }
  return false;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the function around a reference returns that same reference (`if (!x) x = …; return x`). */
function returnsItself(reference: Node): boolean {
  const fn = enclosingFunction(reference);
  if (!fn) return false;
  const text = reference.getText();
  return fn.getDescendantsOfKind(SyntaxKind.ReturnStatement).some((r) => {
    const expression = r.getExpression();
    return expression !== undefined && unwrap(expression).getText() === text && enclosingFunction(r) === fn;
  });
}

/**
 * How a state variable depends on earlier requests (see StateDependence).
 * Module-level state keyed by a tool argument or a minted id is a handle store or a cache: already sessionless.
 * State a per-session factory or per-connection object holds is session state whatever its keys.
 */
function dependenceOf(state: StateVariable): StateDependence {
  if (state.holdsTransports) return 'routing';
  if (state.accesses.some((a) => a.keyOrigin === 'session')) return 'session-keyed';
  const handlerWrites = state.accesses.filter((a) => a.mode === 'write' && a.by.length > 0);
  const perInstance = state.kind === 'factory-closure' || (state.kind === 'class-field' && state.perConnectionClass === true);
  // Lazily created inline by some tools and used by others (`if (!page) page = …` in navigate, read by screenshot):
  // the first tool decides what the others see. Created and used by the same tools only, it is a cache.
  const lazyWriters = new Set(handlerWrites.filter((a) => a.op === 'assign' && a.lazyInit).flatMap((a) => a.by));
  const readElsewhere = state.accesses.some((a) => a.mode === 'read' && a.by.some((r) => !lazyWriters.has(r)));
  const mintedKeys = handlerWrites.some((a) => a.op === 'keyed' && a.keyOrigin === 'minted');
  const setting = (a: StateAccess): boolean => {
    if (a.op === 'assign') return !a.reset && (!a.lazyInit || a.valueFromInput === true || (!a.inGetter && readElsewhere));
    // Emptying a registry the tools fill under ids they mint (`workers.clear()`) sets nothing; emptying anything
    // else counts: what fills it (a page listener) may be out of sight.
    if (a.op === 'mutate') return !a.reset || !mintedKeys;
    if (a.op === 'keyed') return perInstance ? !a.reset : a.keyOrigin === 'constant' && !a.reset;
    return false;
  };
  // A list of records with ids (`forwards.push({ id, … })`, dropped by `filter((f) => f.id !== id)`) is a keyed store.
  if (!perInstance && handlerWrites.length > 0 && isIdRegistryList(state, handlerWrites)) return 'handle-store';
  if (handlerWrites.some(setting)) return 'implicit';
  if (handlerWrites.some((a) => a.op === 'keyed')) return 'handle-store';
  if (handlerWrites.length > 0) return 'lazy-global';
  return 'unwritten';
}

