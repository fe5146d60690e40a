/**
 * Fields of a class that builds its own server (`class SshServer { private server = new Server(…); private
 * connection: Client | null = null; … }`, the usual shape of a stdio server written as a class): the class is
 * the server, so what its fields keep between tool calls is one conversation's. They join their module's record:
 * `this.connection` becomes `ssh.connection`, the current record's property, in every member of the class, and the
 * field declarations go. Fields reached other than as `this.x` in their class, or used by code that runs outside
 * a tool call (but for the constructor setting plain values), stay with one marker.
 */
import { Node, SyntaxKind, type BinaryExpression, type ClassDeclaration, type ClassExpression, type MethodDeclaration, type PropertyAccessExpression, type PropertyDeclaration } from 'ts-morph';
import type { ServerModel, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { carriesConversation, isSharedByName, isSharedState } from '../../src/analysis/conversational.js';
import { isReleaseCall, newExpressionsOf, serverClasses, singletonOf } from './instances.js';
import { isNullish, isPlainDataType, isPlainValueType } from '../../src/analysis/syntax.js';
import { placeOf } from '../shared/place.js';

type ClassNode = ClassDeclaration | ClassExpression;

/** One field that joins a record: see ScopeMember in ./candidates.ts. */
export interface FieldMember {
  kind: 'field';
  name: string;
  /** The field's declaration, or in JavaScript the constructor's `this.x = …` that first sets it. */
  declaration: PropertyDeclaration | BinaryExpression;
  state: StateVariable;
  fields: StateVariable[];
  owner: ClassDeclaration;
  /**
   * Code outside the class reaches the field through the instance (`server.activeProject` in a module the server
   * class hands itself to): the field becomes accessors onto the record, so those uses stay as written.
   */
  handed?: true;
}

interface Decline {
  node: Node;
  message: string;
}

/**
 * Classes whose one instance the tools share: a module's `export const link = new StoreLink()`, the only place the
 * class is built (the usual connection or state manager). Like a server class, the instance is the process's, so
 * what its fields keep between tool calls is one conversation's; the rest of it (a client opened at start-up)
 * stays shared. Names that say a field is shared on purpose (`pool`, `cache`) keep it out.
 */
function singletonClasses(model: ServerModel, taken: ReadonlySet<ClassNode>): Set<ClassNode> {
  const out = new Set<ClassNode>();
  const checked = new Set<ClassNode>();
  const servers = serverClasses(model);
  for (const state of model.states) {
    const owner = state.ownerClass;
    if (state.kind !== 'class-field' || !owner || state.perConnectionClass || servers.has(owner) || taken.has(owner) || checked.has(owner)) continue;
    checked.add(owner);
    const className = Node.isClassDeclaration(owner) ? (owner.getName() ?? '') : '';
    const singleton = singletonOf(owner, model);
    const names = singleton ? [singleton.getName(), className] : ownInstanceOnly(owner, model) ? [className] : [];
    if (names.length > 0 && !names.some(isSharedByName)) out.add(owner);
  }
  return out;
}

/**
 * A class with one instance that no module variable holds: it builds it itself (`static getInstance() { if
 * (!C.instance) C.instance = new C(); … }`, with a private constructor), the one instance of another class
 * builds it once, or a module default-exports it (`export default new C()`). Either way the only `new C()` of
 * the project is that one.
 */
function ownInstanceOnly(owner: ClassNode, model: ServerModel, depth = 0): boolean {
  const name = Node.isClassDeclaration(owner) ? owner.getName() : undefined;
  if (!name || depth > 3) return false;
  const built = newExpressionsOf(name, model);
  if (built.length !== 1) return false;
  // A module's `export default new C()`: the one instance every importer of the module shares.
  if (isDefaultExported(built[0]!)) return true;
  const member = built[0]!.getFirstAncestor((a) => Node.isMethodDeclaration(a) || Node.isGetAccessorDeclaration(a) || Node.isPropertyDeclaration(a) || Node.isConstructorDeclaration(a));
  if (!member) return false;
  if (member.getParent() === owner) return !Node.isConstructorDeclaration(member) && (member as Node & { isStatic(): boolean }).isStatic();
  // Built once by the one instance of another class (`this.api = new MySqlApi()` in its constructor, or a field's
  // initialiser), not in a callback or a method that may run again.
  const holder = member.getParent();
  const once = Node.isConstructorDeclaration(member) ? built[0]!.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a)) === member : Node.isPropertyDeclaration(member) && !member.isStatic();
  if (!once || !holder || !(Node.isClassDeclaration(holder) || Node.isClassExpression(holder))) return false;
  return serverClasses(model).has(holder) || singletonOf(holder, model) !== undefined || ownInstanceOnly(holder, model, depth + 1);
}

/** `export default new C(…)` at a module's top level. */
function isDefaultExported(built: Node): boolean {
  let holder = built.getParent();
  while (holder && (Node.isParenthesizedExpression(holder) || Node.isAsExpression(holder) || Node.isSatisfiesExpression(holder))) holder = holder.getParent();
  return holder !== undefined && Node.isExportAssignment(holder) && !holder.isExportEquals() && Node.isSourceFile(holder.getParent());
}

/**
 * The conversational fields of server classes, and of classes the tools share one instance of, that tools reach,
 * each as a member or with why it cannot be one. `taken`: singleton classes whose instance moves whole;
 * `movedWhole`: fields holding an object that moves whole (see objectInstances in ./instances.ts).
 */
export function serverClassFields(model: ServerModel, taken: ReadonlySet<ClassNode> = new Set(), movedWhole: ReadonlySet<StateVariable> = new Set()): { members: FieldMember[]; declines: Decline[] } {
  const owners = new Set([...serverClasses(model), ...singletonClasses(model, taken)]);
  const members: FieldMember[] = [];
  const declines: Decline[] = [];
  for (const state of model.states) {
    if (state.kind !== 'class-field' || !state.ownerClass || !owners.has(state.ownerClass) || movedWhole.has(state) || !carriesConversation(state)) continue;
    if (!state.accesses.some((access) => access.by.some((registration) => registration.kind === 'tool'))) continue;
    const owner = state.ownerClass;
    const label = `${Node.isClassDeclaration(owner) ? (owner.getName() ?? 'the class') : 'the class'}.${state.name}`;
    const declaration = state.declaration;
    if (!Node.isClassDeclaration(owner) || !owner.getName()) {
      declines.push({ node: declaration, message: `${label} belongs to a class without a name; give the tools that use it a handle by hand` });
    } else if (isConstructorAssignment(declaration)) {
      members.push({ kind: 'field', name: state.name, declaration, state, fields: [state], owner });
    } else if (!Node.isPropertyDeclaration(declaration)) {
      declines.push({ node: declaration, message: `${label} is not declared as a field of its class (\`private ${state.name}…\`); declare it there, then run migrate again` });
    } else if (declaration.isStatic() || Node.isPrivateIdentifier(declaration.getNameNode()) || declaration.hasModifier(SyntaxKind.AbstractKeyword)) {
      declines.push({ node: declaration, message: `${label} is a static, abstract or #private field; give the tools that use it a handle by hand` });
    } else if (declaration.getInitializer()?.getDescendantsOfKind(SyntaxKind.ThisKeyword).length || declaration.getInitializer()?.getKind() === SyntaxKind.ThisKeyword) {
      declines.push({ node: declaration, message: `${label} starts from other members of its instance; give the tools that use it a handle by hand` });
    } else {
      members.push({ kind: 'field', name: state.name, declaration, state, fields: [state], owner });
    }
  }
  for (const companion of companionFields(model, members)) members.push(companion);
  return { members, declines };
}

/**
 * Fields written in the same member as a moving field join its record (`this.nextId++` where a cell is pushed onto
 * `this.cells`): left on the instance, the ids would run on across conversations while the cells start afresh. So do
 * fields built from a moving field (`this.pool = createPool({ ...this.config })`), or one conversation's pool would
 * serve another's queries.
 */
function companionFields(model: ServerModel, members: readonly FieldMember[]): FieldMember[] {
  const out: FieldMember[] = [];
  const taken = new Set(members.map((member) => member.state));
  // Writes in code the tools run: start-up code (`open()` setting the client beside the database) sets the process's.
  const writers = (state: StateVariable) => new Set(state.accesses.filter((access) => access.mode === 'write' && access.by.length > 0).map((access) => classMemberOf(access.node)).filter((holder): holder is Node => holder !== undefined && !Node.isConstructorDeclaration(holder)));
  for (let grown = true; grown; ) {
    grown = false;
    for (const state of model.states) {
      const declaration = state.declaration;
      if (taken.has(state) || state.kind !== 'class-field' || (state.dependence !== 'implicit' && state.dependence !== 'lazy-global')) continue;
      if (!(Node.isPropertyDeclaration(declaration) && !declaration.isReadonly() && !declaration.isStatic()) && !isConstructorAssignment(declaration)) continue;
      if (state.holdsTransports || state.holdsUpstreams || state.explicitIds) continue;
      const owner = state.ownerClass;
      const together = [...members, ...out].filter((member) => member.owner === owner);
      if (!owner || !Node.isClassDeclaration(owner) || together.length === 0) continue;
      const own = writers(state);
      const writtenTogether = [...own].some((holder) => together.some((member) => writers(member.state).has(holder)));
      // Built from the record's own values (`this.pool = createPool({ ...this.config })`): the record's, whatever its name says.
      const builtFromRecord = state.accesses.some((access) => access.mode === 'write' && access.value !== undefined && instanceUses(access.value, owner).some((use) => together.some((member) => member.name === use.getName())));
      if (!builtFromRecord && (!writtenTogether || isSharedState(state) || state.dependence !== 'implicit')) continue;
      if (!state.accesses.some((access) => access.by.some((registration) => registration.kind === 'tool'))) continue;
      out.push({ kind: 'field', name: state.name, declaration, state, fields: [state], owner });
      taken.add(state);
      grown = true;
    }
  }
  return out;
}

/**
 * Every `this.x` of the field in its class, and whether code reaches it on an instance of the class too
 * (`projects.workspace` in a tool module the class handed itself to); or the first use that is neither.
 */
export function fieldReferences(member: FieldMember): { own: PropertyAccessExpression[]; handed: boolean } | Decline {
  const out: PropertyAccessExpression[] = [];
  let handed = false;
  const label = `${member.owner.getName()}.${member.name}`;
  // A constructor's `this.x = …` is one of the uses: it now sets the record's value.
  const declaration = member.declaration;
  const declared = Node.isPropertyDeclaration(declaration) ? declaration.getNameNode() : undefined;
  const uses = Node.isPropertyDeclaration(declaration)
    ? declaration.findReferencesAsNodes()
    : (() => {
        const name = (declaration.getLeft() as PropertyAccessExpression).getNameNode();
        // A starting value the record takes over goes with its statement; any other stays as a start-up write.
        return [...(constructorInitializer(member) ? [] : [name]), ...name.findReferencesAsNodes().filter((use) => use !== name)];
      })();
  for (const use of new Set(uses)) {
    if (use === declared) continue;
    const access = use.getParent();
    const isOwn =
      access !== undefined &&
      Node.isPropertyAccessExpression(access) &&
      access.getNameNode() === use &&
      access.getExpression().getKind() === SyntaxKind.ThisKeyword &&
      thisClassOf(access) === member.owner;
    if (isOwn) {
      out.push(access);
      continue;
    }
    if (!isInstanceAccess(access, use, member)) return { node: use, message: `${label} is used as \`${(access ?? use).getText().slice(0, 60)}\` ${placeOf(use)}, not as this.${member.name} in its class; give the tools that use it a handle by hand` };
    handed = true;
  }
  return { own: out, handed };
}

/** `server.activeProject`, read or set on an instance of the field's class (TypeScript's checker says which). */
function isInstanceAccess(access: Node | undefined, use: Node, member: FieldMember): boolean {
  if (!access || !Node.isPropertyAccessExpression(access) || access.getNameNode() !== use || !Node.isPropertyDeclaration(member.declaration)) return false;
  const receiver = access.getExpression();
  if (receiver.getKind() === SyntaxKind.ThisKeyword) return false;
  return (receiver.getType().getSymbol()?.getDeclarations() ?? []).includes(member.owner);
}

/**
 * What becomes of a field's declaration once its value lives in the record: it goes, or, for a field code outside
 * the class reaches through the instance, it becomes a getter (and a setter, unless readonly) onto the record.
 */
export function fieldDeclarationEdit(member: FieldMember, record: string, options: { typed: boolean; unit: string }): { node: Node; text: string } | { node: Node; text?: undefined } | undefined {
  const declaration = member.declaration;
  if (!Node.isPropertyDeclaration(declaration)) return constructorInitializer(member) ? { node: declaration.getParentOrThrow() } : undefined;
  if (!member.handed) return { node: declaration };
  const name = declaration.getName();
  const scope = declaration.hasScopeKeyword() ? `${declaration.getScope()} ` : '';
  const typeText = options.typed ? (declaration.getTypeNode()?.getText() ?? declaration.getType().getText(declaration)) : undefined;
  const type = typeText ? `: ${typeText}` : '';
  // The declaration's own line indentation (getIndentationText() counts the class body's level again).
  const text = declaration.getSourceFile().getFullText();
  const indent = text.slice(text.lastIndexOf('\n', declaration.getStart() - 1) + 1, declaration.getStart()).replace(/\S.*$/, '');
  const getter = [`${scope}get ${name}()${type} {`, `${indent}${options.unit}return ${record}.${name};`, `${indent}}`];
  const setter = declaration.isReadonly() ? [] : [`${indent}${scope}set ${name}(value${type}) {`, `${indent}${options.unit}${record}.${name} = value;`, `${indent}}`];
  return { node: declaration, text: [...getter, ...setter].join('\n') };
}

/** What the field's uses outside tool calls come to; see {@link fieldUsesOutsideTools}. */
export interface FieldUses {
  /** The constructor sets it: code outside tool calls uses a record of its own, which new records start from. */
  startup: boolean;
  /** A method only shutdown code calls (`cleanup()`), and its statements about the record: the record's cleanup now. */
  release?: { method: MethodDeclaration; statements: Node[] };
  /**
   * A release method the tools call too (`open()` closing the book in use before opening another) and shutdown
   * code calls (`await getLedger().close()` on SIGINT): its statements stay for the tools, and the record's cleanup
   * runs a copy of them for every record; the shutdown calls release every record.
   */
  sharedRelease?: { method: MethodDeclaration; statements: Node[]; shutdownCalls: Node[] };
  problem?: Decline;
}

/**
 * Uses of the field by code that runs outside a tool call. The constructor may set it (to a plain value, or to
 * nothing yet); in a method only shutdown handlers call, the statements about the record become its cleanup (see
 * releaseStatements); a member nothing calls is no use. Anything else needs a person's decision.
 */
export function fieldUsesOutsideTools(
  member: FieldMember,
  model: ServerModel,
  recordFields: ReadonlySet<string>,
  runsAt: { shutdown: (node: Node) => boolean; startUp: (node: Node) => boolean },
): FieldUses {
  const uses: FieldUses = { startup: false };
  const label = `${member.owner.getName()}.${member.name}`;
  const atShutdown = runsAt.shutdown;
  const methods = new Set<Node>();
  // Methods only start-up and shutdown code call (`open()` from main, `close()` from a signal handler): they act on
  // start-up's record, as they acted on the instance before.
  const lifetime = new Set<Node>();
  const fail = (node: Node, message: string): FieldUses => ({ ...uses, problem: { node, message: `${label} ${message}` } });
  for (const access of member.state.accesses) {
    const holder = classMemberOf(access.node);
    // Code in a callback the member hands on (a request handler it registers) runs when that is called, not with the member.
    const runsWithMember = access.node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a)) === holder;
    if (holder && runsWithMember && !Node.isConstructorDeclaration(holder)) methods.add(holder);
    if (access.by.length > 0 || access.byOther.length > 0) continue;
    if (constructorInitializer(member) && access.node === (member.declaration as BinaryExpression).getLeft()) continue;
    if (holder && Node.isConstructorDeclaration(holder)) {
      if (!startsPlain(member, access)) return fail(access.node, `is set to a live value while ${member.owner.getName()} is built, outside any tool call; decide whether it belongs to one conversation or to the whole server`);
      uses.startup = true;
      continue;
    }
    const callers = holder ? callersOf(holder) : [];
    if (holder && callers.length === 0) continue;
    if (holder && Node.isMethodDeclaration(holder) && callers.every(atShutdown)) {
      if (uses.release?.method === holder) continue;
      if (uses.release) return fail(access.node, `is released in both ${uses.release.method.getName()}() and ${holder.getName()}(); release it in one, then run migrate again`);
      const statements = releaseStatements(holder, member.owner, recordFields);
      if (typeof statements === 'string') return fail(access.node, `is released in ${holder.getName()}(), which ${statements}; release the conversation's state in statements of its own, then run migrate again`);
      uses.release = { method: holder, statements };
      continue;
    }
    if (holder && Node.isMethodDeclaration(holder) && callers.every((call) => runsAt.startUp(call) || atShutdown(call)) && (startsPlain(member, access) || onlyReplaced(member))) {
      uses.startup = true;
      lifetime.add(holder);
      continue;
    }
    const where = holder && (Node.isMethodDeclaration(holder) || Node.isGetAccessorDeclaration(holder) || Node.isSetAccessorDeclaration(holder)) ? ` in ${holder.getName()}()` : '';
    return fail(access.node, `is used${where}, which runs outside any tool call; decide whether it belongs to one conversation or to the whole server`);
  }
  // A method the tools call may also run from start-up or shutdown code, where there is no record to use.
  const startsFromStartUp = isPlainValueType(member.declaration.getType()) || onlyReplaced(member);
  for (const method of methods) {
    if (method === uses.release?.method || lifetime.has(method)) continue;
    // A method that only clears the field (`this.db = null` in disconnect()) clears start-up's record when it runs
    // outside a tool call, wherever that is.
    const onlyClears = member.state.accesses.filter((access) => classMemberOf(access.node) === method).every((access) => access.mode === 'write' && access.reset === true);
    for (const call of callersOf(method)) {
      if (model.isHandled(call) || within(call, method)) continue;
      const caller = classMemberOf(call);
      // A constructor has no callers by name, yet runs whenever the class is built.
      if (caller && caller !== method && !Node.isConstructorDeclaration(caller) && (callersOf(caller).length === 0 || caller === uses.release?.method)) continue;
      if (atShutdown(call) && Node.isMethodDeclaration(method) && (!uses.sharedRelease || uses.sharedRelease.method === method)) {
        const statements = releaseStatements(method, member.owner, recordFields);
        if (Array.isArray(statements) && statements.length > 0) {
          uses.sharedRelease = { method, statements, shutdownCalls: [...(uses.sharedRelease?.shutdownCalls ?? []), call] };
          continue;
        }
      }
      // Start-up code (main() calling it) acts on start-up's record, which later records start from.
      if (onlyClears || (startsFromStartUp && runsAt.startUp(call))) {
        uses.startup = true;
        continue;
      }
      const name = Node.isMethodDeclaration(method) || Node.isGetAccessorDeclaration(method) || Node.isSetAccessorDeclaration(method) ? method.getName() : 'a member';
      return fail(call, `is used in ${name}(), which also runs outside any tool call (called ${placeOf(call)}); decide whether it belongs to one conversation or to the whole server`);
    }
  }
  return uses;
}

/** `this.x` in a node, for its instance's own `this`. */
function instanceUses(node: Node, owner: ClassNode): PropertyAccessExpression[] {
  return node.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).filter((access) => access.getExpression().getKind() === SyntaxKind.ThisKeyword && thisClassOf(access) === owner);
}

/**
 * The statements of a release method that release the record (`if (this.client) await this.client.close();`):
 * they move into the record's cleanup, where `this` is not the instance, so they may use nothing of the instance
 * but the record's fields, and nothing the method declares elsewhere; the rest (`await this.server.close()`)
 * stays and runs once. A reason when they cannot move.
 */
function releaseStatements(method: MethodDeclaration, owner: ClassDeclaration, recordFields: ReadonlySet<string>): Node[] | string {
  const body = method.getBody();
  if (!body || !Node.isBlock(body)) return 'has no body of statements';
  const moved = body.getStatements().filter((statement) => instanceUses(statement, owner).some((use) => recordFields.has(use.getName())));
  for (const statement of moved) {
    const uses = instanceUses(statement, owner);
    const foreign = uses.find((use) => !recordFields.has(use.getName()));
    if (foreign) return `also releases ${foreign.getText()}, the whole server's, in the same statement`;
    if (statement.getDescendantsOfKind(SyntaxKind.ThisKeyword).filter((self) => thisClassOf(self) === owner).length !== uses.length) return 'hands the instance itself on';
    if (statement.getDescendantsOfKind(SyntaxKind.ReturnStatement).some((ret) => ret.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) === method)) return 'returns from the middle';
    const local = statement.getDescendantsOfKind(SyntaxKind.Identifier).find((id) => {
      const declaration = id.getSymbol()?.getDeclarations()[0];
      return declaration !== undefined && declaration.getAncestors().includes(method) && !moved.some((other) => declaration.getAncestors().includes(other) || declaration === other);
    });
    if (local) return `uses ${local.getText()}, declared beside the statements that release the conversation's state`;
  }
  const rest = body.getStatements().filter((statement) => !moved.includes(statement));
  const leaked = rest.flatMap((statement) => statement.getDescendantsOfKind(SyntaxKind.Identifier)).find((id) => {
    const declaration = id.getSymbol()?.getDeclarations()[0];
    return declaration !== undefined && moved.some((statement) => declaration.getAncestors().includes(statement));
  });
  if (leaked) return `uses ${leaked.getText()} after releasing the conversation's state with it`;
  return moved;
}

/**
 * A JavaScript field's starting value: what the constructor's `this.x = …` sets when it needs nothing of the
 * constructor (`[]`, `null`, `new Map()`, not a parameter); the record then starts from it and the statement goes.
 */
export function constructorInitializer(member: FieldMember): Node | undefined {
  const declaration = member.declaration;
  if (Node.isPropertyDeclaration(declaration)) return undefined;
  const value = declaration.getRight();
  const ctor = declaration.getFirstAncestor((a) => Node.isConstructorDeclaration(a));
  if (!ctor || value.getKind() === SyntaxKind.ThisKeyword || value.getDescendantsOfKind(SyntaxKind.ThisKeyword).length > 0) return undefined;
  const local = [value, ...value.getDescendants()].some((node) => Node.isIdentifier(node) && (node.getSymbol()?.getDeclarations() ?? []).some((d) => d.getAncestors().includes(ctor)));
  return local ? undefined : value;
}

/** `this.x = …` as a statement of its own directly in a constructor: how JavaScript classes declare fields. */
function isConstructorAssignment(node: Node): node is BinaryExpression {
  if (!Node.isBinaryExpression(node) || node.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return false;
  const left = node.getLeft();
  const statement = node.getParent();
  const body = statement?.getParent();
  return Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword && Node.isExpressionStatement(statement) && body !== undefined && Node.isConstructorDeclaration(body.getParent());
}

/** The class whose instance `this` is at a node: arrow functions see their parent's, functions have their own. */
function thisClassOf(node: Node): ClassNode | undefined {
  for (const ancestor of node.getAncestors()) {
    if (Node.isFunctionDeclaration(ancestor) || Node.isFunctionExpression(ancestor)) return undefined;
    if (Node.isClassDeclaration(ancestor) || Node.isClassExpression(ancestor)) return ancestor;
  }
  return undefined;
}

/** The member of a class (method, accessor, constructor, field with an arrow) a node sits in, for its own `this`. */
function classMemberOf(node: Node): Node | undefined {
  for (const ancestor of node.getAncestors()) {
    if (Node.isFunctionDeclaration(ancestor) || Node.isFunctionExpression(ancestor)) return undefined;
    if (Node.isMethodDeclaration(ancestor) || Node.isConstructorDeclaration(ancestor) || Node.isGetAccessorDeclaration(ancestor) || Node.isSetAccessorDeclaration(ancestor) || Node.isPropertyDeclaration(ancestor)) return ancestor;
  }
  return undefined;
}

/** The places that use a member of a class by name (`this.connect()`, `server.run()`), its declaration aside. */
function callersOf(member: Node): Node[] {
  const named = member as Node & { getNameNode?(): Node; findReferencesAsNodes?(): Node[] };
  const name = named.getNameNode?.();
  if (!name || !named.findReferencesAsNodes) return [];
  return named.findReferencesAsNodes().filter((use) => use !== name && !use.getFirstAncestor((a) => Node.isImportDeclaration(a) || Node.isExportDeclaration(a)));
}

function within(node: Node, container: Node): boolean {
  return node.getAncestors().includes(container);
}

/**
 * Whether the tools only ever replace the field's value (`this.database = client.database(name)`), never change
 * it in place or release it: every record may then start from the value start-up left, shared, since no
 * conversation changes or closes it for the others.
 */
function onlyReplaced(member: FieldMember): boolean {
  return member.state.accesses.every((access) => access.mode !== 'write' || access.op === 'assign') && !member.state.accesses.some((access) => access.mode === 'read' && isReleaseCall(access.node));
}

/** A constructor use a record can start from: the field holds plain values, or the constructor sets it to a literal. */
function startsPlain(member: FieldMember, access: StateAccess): boolean {
  if (isPlainValueType(member.declaration.getType())) return true;
  // Data only ever replaced whole (a configuration parsed at start-up): records may share start-up's value.
  if (isPlainDataType(member.declaration.getType()) && onlyReplaced(member)) return true;
  if (access.mode !== 'write' || access.op !== 'assign') return false;
  const value = access.value;
  return access.reset === true || (value !== undefined && (isNullish(value) || Node.isStringLiteral(value) || Node.isNumericLiteral(value) || value.getKind() === SyntaxKind.TrueKeyword || value.getKind() === SyntaxKind.FalseKeyword));
}
