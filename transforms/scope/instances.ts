/**
 * Objects a server factory builds for each connection (`const context = new Context(tools, config)` beside
 * `new Server(…)`), whose fields, or the fields of objects they build (`this.sessionManager = new
 * SessionManager()`, a Tab per page), tools change between calls. Where the fine-grained record transform cannot
 * move those fields one by one, the conversation's record holds the whole object instead: the factory builds
 * it lazily for the record of the id the running tool call passed (see templates/handle-scope, `instance`).
 */
import { Node, SyntaxKind, type BinaryExpression, type CallExpression, type ClassDeclaration, type ClassExpression, type NewExpression, type ObjectLiteralExpression, type PropertyAccessExpression, type VariableDeclaration } from 'ts-morph';
import type { ServerModel, StateVariable } from '../../src/analysis/index.js';
import { carriesConversation } from '../../src/analysis/conversational.js';
import { enclosingFunction, outermostWrapper, unwrap } from '../../src/analysis/syntax.js';
import { RELEASE_METHODS } from '../../src/rules/scope-state.js';
import { relativeOf } from '../../src/engine/parse.js';
import { isTestPath } from '../../src/engine/scope.js';
import { referencesTo } from '../shared/declarations.js';
import { within } from '../shared/place.js';

type ClassNode = ClassDeclaration | ClassExpression;

/** Where a factory keeps an object it builds: `const context = new Context(…)`, or `this.guard = new Guard(…)`. */
export type InstanceHolder = VariableDeclaration | BinaryExpression;

/** One object a server factory builds per connection, and the conversation state it holds. */
export interface FactoryInstance {
  /**
   * `const context = new Context(…)` directly in the factory's body, or `this.guard = new Guard(…)` directly in
   * the constructor of a class that builds its server there.
   */
  declaration: InstanceHolder;
  /** What it is called: the variable, or the field. */
  name: string;
  /** What builds it: `new …(…)`, or for an object of state a project function's call or a literal (see objectInstances). */
  built: NewExpression | CallExpression | ObjectLiteralExpression;
  /** The function that builds the server and this object. */
  factory: Node;
  className: string;
  /** The fields tools change, of the object's class and of the objects it builds. */
  fields: StateVariable[];
  /** The method that releases the object (`close`, `dispose`), when its class has one. */
  release: string | undefined;
  /**
   * For an object of state (no class of its own): the properties code outside any tool call writes
   * (`this.state.pipeDisconnected = true` in a signal handler). They stay the process's, in one object every record shares.
   */
  shared?: string[];
}

/** Every per-connection object a server factory builds whose fields (or whose objects' fields) tools change. */
export function factoryInstances(model: ServerModel, stopping: (node: Node) => boolean = () => false): FactoryInstance[] {
  const builders = new Set(model.servers.map((server) => enclosingFunction(server.node)).filter((fn): fn is Node => fn !== undefined));
  const roots = new Map<ClassNode, InstanceHolder | null>();
  const byRoot = new Map<InstanceHolder, StateVariable[]>();
  for (const state of model.states) {
    if (state.kind !== 'class-field' || !state.ownerClass || !carriesConversation(state)) continue;
    if (!state.accesses.some((access) => access.by.some((registration) => registration.kind === 'tool'))) continue;
    const root = rootOf(state.ownerClass, model, builders, roots, new Set());
    if (root) byRoot.set(root, [...(byRoot.get(root) ?? []), state]);
  }
  const classInstances = [...byRoot].map(([declaration, fields]) => {
    const created = builtBy(declaration)!;
    const className = created.getExpression().getText();
    const cls = fields.find((field) => field.ownerClass && nameOf(field.ownerClass) === className)?.ownerClass ?? classNamed(className, model);
    const name = Node.isVariableDeclaration(declaration) ? declaration.getName() : (declaration.getLeft() as PropertyAccessExpression).getName();
    return { declaration, name, built: created, factory: enclosingFunction(declaration)!, className, fields, release: cls ? releaseMethodOf(cls) : undefined };
  });
  return [...classInstances, ...objectInstances(model, new Set(classInstances.map((instance) => instance.declaration)), stopping)];
}

/** Classes that build an SDK server in their own code (a field initialiser, the constructor, a method). */
export function serverClasses(model: ServerModel): Set<ClassNode> {
  return new Set(model.servers.flatMap((server) => (server.ownerClass ? [server.ownerClass] : [])));
}

/**
 * An object of state a server class builds in its constructor and hands to its tools (`this.state = createState()`,
 * where `createState()` returns an object literal, then `registerTools(this.server, this.state)`): the record holds
 * one per conversation, built on its first use, as it would an object of a class. What code outside any tool call
 * writes in it (a flag a signal handler sets) is the process's and stays in one object every record shares.
 */
function objectInstances(model: ServerModel, taken: ReadonlySet<Node>, stopping: (node: Node) => boolean): FactoryInstance[] {
  const owners = serverClasses(model);
  const out: FactoryInstance[] = [];
  for (const state of model.states) {
    const owner = state.ownerClass;
    if (state.kind !== 'class-field' || state.container !== 'object' || !owner || !owners.has(owner) || !carriesConversation(state)) continue;
    if (!state.accesses.some((access) => access.by.some((registration) => registration.kind === 'tool'))) continue;
    const field = state.declaration;
    if (!Node.isPropertyDeclaration(field) || field.hasInitializer() || field.isStatic()) continue;
    const ctor = owner.getConstructors()[0];
    const writes = thisReferences(owner, state.name).filter((reference) => {
      const parent = reference.getParent();
      return Node.isBinaryExpression(parent) && parent.getLeft() === reference && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken;
    });
    // Set once, in the constructor's own statements; never replaced whole afterwards.
    const holder = writes.length === 1 ? (writes[0]!.getParent() as BinaryExpression) : undefined;
    if (!ctor || !holder || taken.has(holder) || !isDirectIn(holder, ctor)) continue;
    const value = unwrap(holder.getRight());
    if (!(Node.isCallExpression(value) || Node.isObjectLiteralExpression(value))) continue;
    const typeName = field.getTypeNode()?.getText();
    if (!typeName) continue;
    out.push({ declaration: holder, name: state.name, built: value, factory: ctor, className: typeName, fields: [state], release: undefined, shared: propertiesSetOutsideCalls({ declaration: holder, name: state.name }, model, stopping) });
  }
  return out;
}

/**
 * Flags the process keeps in the object: `this.state.stdoutGone = true` where no tool call runs (in neither a
 * handler nor the constructor, nor where the server stops: `this.state.browser = null` there releases the
 * conversation's, see objectReleaseStatements). Only flags (a literal set): a live value set there (a browser
 * launched at start-up) is no flag, and its use is marked instead.
 */
function propertiesSetOutsideCalls(instance: Pick<FactoryInstance, 'declaration' | 'name'>, model: ServerModel, stopping: (node: Node) => boolean): string[] {
  const handlers = handlerBodies(model);
  const flags = new Set<string>();
  const other = new Set<string>();
  for (const reference of holderReferences(instance)) {
    const access = reference.getParent();
    if (!access || !Node.isPropertyAccessExpression(access) || access.getExpression() !== reference) continue;
    const assignment = access.getParent();
    if (!Node.isBinaryExpression(assignment) || assignment.getLeft() !== access || assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
    if (handlers.some((handler) => within(reference, handler)) || stopping(reference)) continue;
    const fn = enclosingFunction(reference);
    if (fn && Node.isConstructorDeclaration(fn)) continue;
    (isLiteral(unwrap(assignment.getRight())) ? flags : other).add(access.getName());
  }
  return [...flags].filter((name) => !other.has(name));
}

function isLiteral(value: Node): boolean {
  return Node.isTrueLiteral(value) || Node.isFalseLiteral(value) || Node.isNullLiteral(value) || Node.isNumericLiteral(value) || Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value);
}

/** The handler functions of tools and of low-level requests: code that runs inside a call. */
function handlerBodies(model: ServerModel): Node[] {
  return [
    ...model.registrations.flatMap((registration) => (registration.handler ? [registration.handler] : [])),
    ...model.requestHandlers.flatMap((handler) => (handler.handler ? [handler.handler] : [])),
  ];
}

/**
 * The factory variable an instance of `cls` comes from: `const x = new C()` directly in a server factory's body,
 * or, for a class only other such objects build (in their constructors, methods or field initialisers), the
 * root of the class that builds it. One root for every place the class is built, or none.
 */
function rootOf(
  cls: ClassNode,
  model: ServerModel,
  builders: ReadonlySet<Node>,
  memo: Map<ClassNode, InstanceHolder | null>,
  visiting: Set<ClassNode>,
): InstanceHolder | undefined {
  if (memo.has(cls)) return memo.get(cls) ?? undefined;
  const name = nameOf(cls);
  if (!name || visiting.has(cls)) return undefined;
  visiting.add(cls);
  const found = new Set<InstanceHolder>();
  let unknown = false;
  for (const created of newExpressionsOf(name, model)) {
    // A server of its own (`class S extends McpServer`): a record cannot hold the server that serves it.
    if (model.servers.some((server) => server.node === created)) {
      unknown = true;
      continue;
    }
    const fn = enclosingFunction(created);
    const kept = holderOf(created);
    if (fn && builders.has(fn) && kept && isDirectIn(kept, fn)) {
      found.add(kept);
      continue;
    }
    const holder = created.getFirstAncestor((n) => Node.isClassDeclaration(n) || Node.isClassExpression(n)) as ClassNode | undefined;
    const root = holder && holder !== cls ? rootOf(holder, model, builders, memo, visiting) : undefined;
    if (root) found.add(root);
    else unknown = true;
  }
  visiting.delete(cls);
  const root = !unknown && found.size === 1 ? [...found][0]! : null;
  memo.set(cls, root);
  return root ?? undefined;
}

/**
 * Whether `const x = …` sits directly in the function's body, or in the block of a `try` that does (setting up
 * inside `try { … } catch (error) { log; throw }`): not in a branch or loop it might skip or repeat.
 */
export function isDirectIn(declaration: InstanceHolder, fn: Node): boolean {
  const statement = Node.isVariableDeclaration(declaration) ? declaration.getVariableStatement() : declaration.getParent();
  const body = (fn as Node & { getBody?(): Node | undefined }).getBody?.();
  if (statement === undefined || body === undefined) return false;
  if (Node.isVariableStatement(statement) ? statement.getDeclarations().length !== 1 : !Node.isExpressionStatement(statement)) return false;
  const block = statement.getParent();
  if (block === body) return true;
  const tryStatement = block?.getParent();
  return tryStatement !== undefined && Node.isTryStatement(tryStatement) && tryStatement.getTryBlock() === block && tryStatement.getParent() === body;
}

/** `const x = new C(…)`, or `this.x = new C(…)` as a statement of its own: where a factory keeps what it built. */
function holderOf(created: NewExpression): InstanceHolder | undefined {
  const outer = outermostWrapper(created);
  const parent = outer.getParent();
  if (Node.isVariableDeclaration(parent) && parent.getInitializer() === outer && Node.isIdentifier(parent.getNameNode())) return parent;
  if (!Node.isBinaryExpression(parent) || parent.getRight() !== outer || parent.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return undefined;
  const left = parent.getLeft();
  const isField = Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword;
  return isField && Node.isExpressionStatement(parent.getParent()) ? parent : undefined;
}

/** The `new …(…)` a holder keeps. */
function builtBy(holder: InstanceHolder): NewExpression | undefined {
  const value = Node.isVariableDeclaration(holder) ? holder.getInitializer() : holder.getRight();
  const inner = value && unwrap(value);
  return inner && Node.isNewExpression(inner) ? inner : undefined;
}

/** `const x = new C()` at the top of a module: the one instance of `owner` the tools share. */
export function singletonOf(owner: ClassDeclaration | ClassExpression, model: ServerModel): VariableDeclaration | undefined {
  const name = Node.isClassDeclaration(owner) ? owner.getName() : undefined;
  if (!name) return undefined;
  const found: VariableDeclaration[] = [];
  for (const info of model.files) {
    for (const statement of info.sourceFile.getVariableStatements()) {
      for (const declaration of statement.getDeclarations()) {
        const value = declaration.getInitializer();
        if (value && Node.isNewExpression(unwrap(value)) && (unwrap(value) as Node & { getExpression(): Node }).getExpression().getText() === name) found.push(declaration);
      }
    }
  }
  return found.length === 1 && newExpressionsOf(name, model).length === 1 ? found[0] : undefined;
}

/** Every `new <name>(…)` in the model's server files (a test builds its own instances, which the server never serves). */
export function newExpressionsOf(name: string, model: ServerModel): NewExpression[] {
  return model.files
    .filter((info) => !isTestPath(relativeOf(info.sourceFile)))
    .flatMap((info) => info.sourceFile.getDescendantsOfKind(SyntaxKind.NewExpression).filter((created) => unwrap(created.getExpression()).getText() === name));
}

function nameOf(cls: ClassNode): string | undefined {
  return Node.isClassDeclaration(cls) ? cls.getName() : undefined;
}

function classNamed(name: string, model: ServerModel): ClassDeclaration | undefined {
  for (const info of model.files) {
    const found = info.sourceFile.getClass(name);
    if (found) return found;
  }
  return undefined;
}

/** A method with no required parameters whose name is a release verb (`close()`, `dispose()`). */
function releaseMethodOf(cls: ClassNode): string | undefined {
  const method = cls.getMethods().find((m) => !m.isStatic() && RELEASE_METHODS.includes(m.getName()) && m.getParameters().every((p) => p.isOptional() || p.hasInitializer()));
  return method?.getName();
}

/**
 * Where code outside any tool call uses the object (not handing it to a function, not releasing it at shutdown):
 * `await this.postgresClient.connect(…)` in an `init()` run while the server starts. A record builds its own
 * object, so what such code does to the start-up instance (a connection it opens) reaches no conversation.
 */
export function usesOutsideCalls(instance: FactoryInstance, model: ServerModel, atShutdown: (node: Node) => boolean): Node[] {
  const handlers = handlerBodies(model);
  const inside = (node: Node) => handlers.some((handler) => within(node, handler));
  return holderReferences(instance).filter((reference) => {
    const call = reference.getParent();
    // Handed to a function or an object (`registerTools(server, this.client)`, `new ExecTools(this.guard)`): what
    // they do with it is their tools' business.
    if (call && (Node.isCallExpression(call) || Node.isNewExpression(call)) && (call.getArguments() as Node[]).includes(reference)) return false;
    return !inside(reference) && !atShutdown(reference);
  });
}

/** The references to what holds the object: the variable, or `this.x` in the class whose constructor sets it. */
export function holderReferences(instance: Pick<FactoryInstance, 'declaration' | 'name'>): Node[] {
  const holder = instance.declaration;
  if (Node.isVariableDeclaration(holder)) return referencesTo(holder);
  const owner = holder.getFirstAncestor((node): node is ClassNode => Node.isClassDeclaration(node) || Node.isClassExpression(node));
  return owner ? thisReferences(owner, instance.name).filter((access) => access !== holder.getLeft()) : [];
}

/** `this.name` anywhere in a class. */
function thisReferences(owner: ClassNode, name: string): PropertyAccessExpression[] {
  return owner.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).filter((access) => access.getName() === name && access.getExpression().getKind() === SyntaxKind.ThisKeyword);
}

/** `x.close()`, `x.dispose()`: a release of the object `reference` names. */
export function isReleaseCall(reference: Node): boolean {
  const access = reference.getParent();
  const call = access?.getParent();
  return access !== undefined && Node.isPropertyAccessExpression(access) && RELEASE_METHODS.includes(access.getName()) && call !== undefined && Node.isCallExpression(call) && call.getExpression() === access;
}
