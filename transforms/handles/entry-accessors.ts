import { placeOf } from '../shared/place.js';
/**
 * Helpers that only fetch the caller's entry of a session-keyed container, creating it on first use
 * (`cartFor(sessionId)`, `notebookOf(ctx.sessionId)`). With handles the tool resolves the entry itself: each
 * call becomes a resolve, the entry the helper created on first use becomes what the creator mints, and the
 * helper goes. A helper that does more, or that code without a handle calls, is left to a person.
 */
import { Node, SyntaxKind, type CallExpression, type Expression, type ParameterDeclaration, type SourceFile, type Statement } from 'ts-morph';
import type { Registration, ServerModel, StateAccess } from '../../src/analysis/index.js';
import { unwrap } from '../../src/analysis/syntax.js';
import { pathAliasesOf, resolveModule } from '../../src/engine/module-paths.js';
import { relativeOf } from '../../src/engine/parse.js';
import { referencesTo } from '../shared/declarations.js';
import { nearestFunction, Undecided } from './site.js';
import { readThreaded, type ThreadedBody } from './threaded-helpers.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/** A helper whose whole job is "the caller's entry": its calls become resolves. */
export interface EntryAccessor {
  name: string;
  /** The statement declaring it, removed once no call is left. */
  statement: Statement;
  /** The value it stored on first use (what the creator now mints), when it created entries. */
  initial: Expression | undefined;
  /** Its calls, each made directly by the handler of a tool. */
  calls: Array<{ call: CallExpression; registration: Registration; key: Node | undefined }>;
  /** Files that import it; their import of it goes with it. */
  importers: SourceFile[];
  /** For a helper that does more than fetch the entry: the entry is passed in instead, and the helper stays. */
  threaded?: { fn: Node & { getParameters(): ParameterDeclaration[] }; body: ThreadedBody };
}

type HelperFunction = Node & { getParameters(): Array<{ getName(): string }>; getBody(): Node | undefined };

/**
 * The accessors holding `accesses` (outside the tools, in functions the tools call), or the reason (thrown as
 * {@link Undecided} at `anchor`) why one cannot give way to resolves.
 */
export function entryAccessors(container: string, accesses: readonly StateAccess[], model: ServerModel, anchor: Node): EntryAccessor[] {
  const byHelper = new Map<Node, StateAccess[]>();
  for (const access of accesses) {
    const fn = nearestFunction(access.node);
    if (!fn) {
      const where = `a helper of ${access.by.map((r) => r.label).join(', ')}`;
      throw new Undecided(anchor, `${container} is used in ${where}, not only by tools keyed by the session: if it is shared across sessions on purpose keep it, else pass a handle there`);
    }
    byHelper.set(fn, [...(byHelper.get(fn) ?? []), access]);
  }
  return [...byHelper].map(([fn, mine]) => accessorOf(container, fn as HelperFunction, mine, model, anchor));
}

function accessorOf(container: string, fn: HelperFunction, accesses: readonly StateAccess[], model: ServerModel, anchor: Node): EntryAccessor {
  const declared = declarationOf(fn);
  if (!declared) throw new Undecided(anchor, `${container} is used in a function that is not declared by name at the top of a scope; pass the caller's ${container} entry to it by hand`);
  const { name, declaration, statement } = declared;
  if (accesses.some((a) => a.keyOrigin !== 'session')) throw new Undecided(anchor, `${name} uses ${container} without the session id as key; decide what the key means first`);
  const reading = readAccessor(container, fn);
  const body = typeof reading === 'string' ? readThreaded(container, fn as never, accesses, anchor) : undefined;
  if (typeof body === 'string') {
    throw new Undecided(anchor, `${container} is used in ${name}, which ${body}; pass the caller's entry to ${name} as a parameter by hand, or keep ${container} if it is shared on purpose`);
  }
  const initial = body ? body.initial : (reading as Exclude<typeof reading, string>).initial;
  if (initial && usesOwnScope(initial, fn)) {
    throw new Undecided(anchor, `${name} starts ${container} entries from its own arguments (${initial.getText()}); make a creator tool that takes those as parameters`);
  }
  const keyIndex = body ? body.keyIndex : keyParameterIndex(fn, (reading as Exclude<typeof reading, string>).keys);
  // Arguments a rewrite drops must not do anything: all of them when the call goes, the key when the entry replaces it.
  const dropped = (args: Node[]) => (!body ? args : body.keyParam && keyIndex !== undefined && args[keyIndex] ? [args[keyIndex]!] : []);
  const calls: EntryAccessor['calls'] = [];
  const importers: SourceFile[] = [];
  const references = [...referencesTo(declaration)];
  for (const { file, specifier } of importsOf(name, statement.getSourceFile(), model)) {
    importers.push(file);
    references.push(...referencesTo(specifier));
  }
  for (const reference of references) {
    const call = reference.getParent();
    if (!call || !Node.isCallExpression(call) || call.getExpression() !== reference) {
      throw new Undecided(anchor, `${name} is passed around (${placeOf(reference)} of ${relativeOf(reference.getSourceFile())}), not only called by tools; pass the caller's ${container} entry to it by hand`);
    }
    const handler = nearestFunction(call);
    const registration = model.registrations.find((r) => r.kind === 'tool' && r.handler && r.handler === handler);
    if (!registration) {
      throw new Undecided(anchor, `${container} is read through ${name}, which is also called outside the tools (${placeOf(call)} of ${relativeOf(call.getSourceFile())}) where there is no handle; keep ${container} if it is shared on purpose, else give that caller a handle`);
    }
    if (!dropped(call.getArguments()).every(isPlainArgument)) throw new Undecided(anchor, `a call of ${name} in ${registration.label} computes its arguments; name them first`);
    calls.push({ call, registration, key: keyIndex === undefined ? undefined : call.getArguments()[keyIndex] });
  }
  if (calls.length === 0) throw new Undecided(anchor, `nothing calls ${name}`);
  return { name, statement, initial, calls, importers, threaded: body ? { fn: fn as never, body } : undefined };
}

/** `function f() {}` or `const f = () => …` / `const f = function () {}`, alone in its statement. */
function declarationOf(fn: Node): { name: string; declaration: Node; statement: Statement } | undefined {
  if (Node.isFunctionDeclaration(fn)) {
    const name = fn.getName();
    return name ? { name, declaration: fn, statement: fn } : undefined;
  }
  const holder = fn.getParent();
  if ((Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) && holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode())) {
    const statement = holder.getVariableStatement();
    if (statement && statement.getDeclarations().length === 1) return { name: holder.getName(), declaration: holder, statement };
  }
  return undefined;
}

/** Where other modules import `name` from the accessor's module. */
function importsOf(name: string, home: SourceFile, model: ServerModel): Array<{ file: SourceFile; specifier: Node }> {
  const homePath = relativeOf(home);
  const files = model.files.map((f) => f.sourceFile);
  const known = new Set(files.map(relativeOf));
  const aliases = pathAliasesOf(home.getProject());
  const found: Array<{ file: SourceFile; specifier: Node }> = [];
  for (const file of files) {
    if (file === home) continue;
    for (const declaration of file.getImportDeclarations()) {
      if (resolveModule(relativeOf(file), declaration.getModuleSpecifierValue(), known, aliases) !== homePath) continue;
      for (const named of declaration.getNamedImports()) if (named.getName() === name) found.push({ file, specifier: named });
    }
    for (const declaration of file.getExportDeclarations()) {
      const specifier = declaration.getModuleSpecifierValue();
      if (specifier && resolveModule(relativeOf(file), specifier, known, aliases) === homePath && declaration.getNamedExports().some((e) => e.getName() === name)) {
        throw new Undecided(declaration, `${name} is re-exported by ${relativeOf(file)}`);
      }
    }
  }
  return found;
}

/** Arguments that can be dropped without losing an effect: names, property reads, literals, `a ?? b`. */
function isPlainArgument(node: Node): boolean {
  const inner = unwrap(node);
  if (Node.isIdentifier(inner) || Node.isStringLiteral(inner) || Node.isNumericLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner)) return true;
  if (Node.isPropertyAccessExpression(inner)) return isPlainArgument(inner.getExpression());
  if (Node.isBinaryExpression(inner) && ['??', '||'].includes(inner.getOperatorToken().getText())) return isPlainArgument(inner.getLeft()) && isPlainArgument(inner.getRight());
  return false;
}

/** Which parameter carries the session key: the one the key expressions (or the locals they read) name. */
function keyParameterIndex(fn: HelperFunction, keys: readonly Node[]): number | undefined {
  const names = new Set<string>();
  for (const key of keys) for (const id of [key, ...identifiersOf(key)]) if (Node.isIdentifier(id)) names.add(id.getText());
  const index = fn.getParameters().findIndex((p) => names.has(p.getName()));
  return index === -1 ? undefined : index;
}

function usesOwnScope(expression: Node, fn: HelperFunction): boolean {
  const own = new Set([...fn.getParameters().map((p) => p.getName()), ...nodesOfKind(fn, SyntaxKind.VariableDeclaration).map((d) => d.getName())]);
  return [expression, ...identifiersOf(expression)].some((id) => Node.isIdentifier(id) && own.has(id.getText()) && !isPropertyName(id));
}

function isPropertyName(id: Node): boolean {
  const parent = id.getParent();
  return !!parent && (Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent)) && parent.getNameNode() === id;
}

/**
 * Read a helper body as "get the entry for a key, creating it on first use", statement by statement:
 * - `const key = sessionId ?? 'default'` (a key local), `const entry = m.get(key)` (the entry);
 * - `if (!m.has(key)) m.set(key, init)`, `if (!entry) { entry = init; m.set(key, entry) }`;
 * - `if (entry) return entry;` then `const created = init; m.set(key, created);`;
 * - `return m.get(key)!`, `return m.get(key) ?? init`, `return entry`.
 * Returns the value entries start from and the key expressions, or what else the helper does.
 */
function readAccessor(container: string, fn: HelperFunction): { initial: Expression | undefined; keys: Node[] } | string {
  const body = fn.getBody();
  if (!body) return 'has no body';
  const keys: Node[] = [];
  let initial: Expression | undefined;
  const take = (value: Expression | undefined) => {
    if (value && !initial) initial = value;
  };
  /** `m.get(k)` with `!`/`?? init` around it; undefined when `node` is something else. */
  const getOf = (node: Node | undefined): { call: CallExpression; fallback?: Expression } | undefined => {
    if (!node) return undefined;
    let inner = unwrap(node);
    let fallback: Expression | undefined;
    if (Node.isBinaryExpression(inner) && ['??', '||'].includes(inner.getOperatorToken().getText())) {
      fallback = inner.getRight();
      inner = unwrap(inner.getLeft());
    }
    const call = containerCall(inner, container, 'get');
    if (!call) return undefined;
    keys.push(call.getArguments()[0]!);
    return { call, fallback };
  };
  if (!Node.isBlock(body)) {
    const found = getOf(body);
    if (!found) return 'does more than return the entry';
    take(found.fallback);
    return { initial, keys };
  }

  const entries = new Set<string>();
  const created = new Map<string, Expression>();
  let existingReturned = false;
  for (const statement of body.getStatements()) {
    if (Node.isVariableStatement(statement) && statement.getDeclarations().length === 1) {
      const declaration = statement.getDeclarations()[0]!;
      const initializer = declaration.getInitializer();
      if (!Node.isIdentifier(declaration.getNameNode()) || !initializer) return 'declares something other than its key and entry';
      const found = getOf(initializer);
      if (found) {
        take(found.fallback);
        entries.add(declaration.getName());
      } else if (mentions(initializer, container)) {
        return `uses ${container} in ${declaration.getName()}'s initial value`;
      } else {
        created.set(declaration.getName(), initializer);
      }
      continue;
    }
    if (Node.isIfStatement(statement) && !statement.getElseStatement()) {
      const condition = unwrap(statement.getExpression());
      const then = statement.getThenStatement();
      const inner = Node.isBlock(then) ? then.getStatements() : [then];
      const negated = Node.isPrefixUnaryExpression(condition) && condition.getOperatorToken() === SyntaxKind.ExclamationToken ? unwrap(condition.getOperand()) : undefined;
      // if (!m.has(k)) m.set(k, init)
      const has = negated && containerCall(negated, container, 'has');
      if (has && inner.length === 1) {
        const set = setOf(inner[0]!, container);
        if (!set) return `does more than create a missing ${container} entry`;
        keys.push(has.getArguments()[0]!, set.key);
        take(set.value);
        continue;
      }
      // if (!entry) { entry = init; m.set(k, entry) }
      if (negated && Node.isIdentifier(negated) && entries.has(negated.getText()) && inner.length === 2) {
        const assigned = assignmentOf(inner[0]!, negated.getText());
        const set = setOf(inner[1]!, container);
        if (!assigned || !set || unwrap(set.value).getText() !== negated.getText()) return `does more than create a missing ${container} entry`;
        keys.push(set.key);
        take(assigned);
        continue;
      }
      // if (entry) return entry;
      if (Node.isIdentifier(condition) && entries.has(condition.getText()) && inner.length === 1 && Node.isReturnStatement(inner[0]!)) {
        if (unwrap(inner[0]!.getExpression() ?? inner[0]!).getText() !== condition.getText()) return 'returns something other than the entry';
        existingReturned = true;
        continue;
      }
      return 'decides something besides creating a missing entry';
    }
    const set = setOf(statement, container);
    if (set) {
      // An unguarded store only creates an entry when the existing one was returned before.
      if (!existingReturned) return `replaces the ${container} entry`;
      keys.push(set.key);
      const value = unwrap(set.value);
      take(Node.isIdentifier(value) ? created.get(value.getText()) : set.value);
      if (Node.isIdentifier(value) && !created.has(value.getText())) return `stores ${value.getText()} in ${container}`;
      continue;
    }
    if (Node.isReturnStatement(statement)) {
      const expression = statement.getExpression();
      const found = getOf(expression);
      if (found) {
        take(found.fallback);
        continue;
      }
      const value = expression && unwrap(expression);
      if (value && Node.isIdentifier(value) && (entries.has(value.getText()) || created.has(value.getText()))) continue;
      return 'returns something other than the entry';
    }
    return `does more than return the ${container} entry (${placeOf(statement)})`;
  }
  // Locals that were neither the key nor the created entry would be lost with the helper.
  for (const [local, value] of created) {
    const used = identifiersOf(body).some((id) => id.getText() === local && keys.some((k) => k === id || k.getDescendants().includes(id)));
    if (!used && value !== initial) return `computes ${local}, which is neither its key nor the entry`;
  }
  return { initial, keys };
}

function containerCall(node: Node, container: string, method: string): CallExpression | undefined {
  if (!Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== method || unwrap(callee.getExpression()).getText() !== container) return undefined;
  return node.getArguments().length >= 1 ? node : undefined;
}

function setOf(statement: Node, container: string): { key: Node; value: Expression } | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined;
  const call = containerCall(unwrap(statement.getExpression()), container, 'set');
  const [key, value] = call?.getArguments() ?? [];
  return key && value ? { key, value: value as Expression } : undefined;
}

function assignmentOf(statement: Node, local: string): Expression | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined;
  const expression = unwrap(statement.getExpression());
  if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getText() !== '=' || expression.getLeft().getText() !== local) return undefined;
  return expression.getRight();
}

function mentions(node: Node, name: string): boolean {
  return [node, ...identifiersOf(node)].some((id) => Node.isIdentifier(id) && id.getText() === name && !isPropertyName(id));
}
