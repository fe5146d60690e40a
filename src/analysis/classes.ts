/**
 * Class-based code the analysis follows without a type checker: which project classes a receiver can be an
 * instance of (from `new C()`, a type annotation `C` / `C[]`, a loop over either, or `this`), their subclasses,
 * and the methods and accessors a call or property read on it can run. This is how a tool registered in a
 * loop over tool classes (`for (const tool of tools) server.registerTool(tool.name, …, (a) => tool.execute(a))`)
 * reaches each subclass's `execute`, and how `connections.current` reaches a getter.
 */
import { Node, SyntaxKind, type CallExpression, type ClassDeclaration, type ClassExpression } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import { classOfNew, returnedValues } from './functions.js';
import type { FunctionNode } from './model.js';
import { unwrap } from './syntax.js';

type ClassNode = ClassDeclaration | ClassExpression;

/** Per analysis context: every project class declaration, and direct subclasses by base class. */
const indexes = new WeakMap<AnalysisContext, { byName: Map<string, ClassNode[]>; subclasses: Map<ClassNode, ClassNode[]>; members: Set<string> }>();

function indexOf(ctx: AnalysisContext) {
  let index = indexes.get(ctx);
  if (index) return index;
  const byName = new Map<string, ClassNode[]>();
  const all: ClassNode[] = [];
  for (const info of ctx.files) {
    for (const cls of info.sourceFile.getDescendantsOfKind(SyntaxKind.ClassDeclaration)) {
      all.push(cls);
      const name = cls.getName();
      if (name) byName.set(name, [...(byName.get(name) ?? []), cls]);
    }
  }
  const subclasses = new Map<ClassNode, ClassNode[]>();
  const members = new Set<string>();
  for (const cls of all) {
    for (const member of cls.getMembers()) {
      if (Node.isMethodDeclaration(member) || Node.isGetAccessorDeclaration(member) || Node.isSetAccessorDeclaration(member) || Node.isPropertyDeclaration(member)) members.add(member.getName());
    }
    const base = cls.getExtends()?.getExpression();
    if (!base) continue;
    for (const parent of classesNamed(ctx, byName, base)) subclasses.set(parent, [...(subclasses.get(parent) ?? []), cls]);
  }
  index = { byName, subclasses, members };
  indexes.set(ctx, index);
  return index;
}

/** Classes an expression naming a class (`BaseTool`, imported or not) stands for. */
function classesNamed(ctx: AnalysisContext, byName: Map<string, ClassNode[]>, expression: Node): ClassNode[] {
  const inner = unwrap(expression);
  if (!Node.isIdentifier(inner)) return [];
  const binding = ctx.resolver.resolve(inner);
  if (binding?.kind === 'declaration' && Node.isClassDeclaration(binding.node)) return [binding.node];
  return byName.get(inner.getText()) ?? [];
}

/** A class and every class that extends it, directly or not. */
function withSubclasses(ctx: AnalysisContext, classes: readonly ClassNode[]): ClassNode[] {
  const { subclasses } = indexOf(ctx);
  const out = new Set<ClassNode>();
  const queue = [...classes];
  while (queue.length > 0) {
    const cls = queue.pop()!;
    if (out.has(cls)) continue;
    out.add(cls);
    queue.push(...(subclasses.get(cls) ?? []));
  }
  return [...out];
}

/** Project classes named by a type annotation: `C`, `C[]`, `Array<C>`, `readonly C[]`, `C | undefined`. */
function classesOfType(ctx: AnalysisContext, type: Node | undefined, element: boolean): ClassNode[] {
  if (!type) return [];
  const { byName } = indexOf(ctx);
  if (Node.isUnionTypeNode(type)) return type.getTypeNodes().flatMap((t) => classesOfType(ctx, t, element));
  if (Node.isTypeOperatorTypeNode(type)) return classesOfType(ctx, type.getTypeNode(), element);
  if (element && Node.isArrayTypeNode(type)) return classesOfType(ctx, type.getElementTypeNode(), false);
  if (Node.isTypeReference(type)) {
    const name = type.getTypeName().getText();
    const args = type.getTypeArguments();
    if (element && /^(?:Readonly)?Array$/.test(name) && args[0]) return classesOfType(ctx, args[0], false);
    if (element) return [];
    return classesNamed(ctx, byName, type.getTypeName());
  }
  return [];
}

/** Classes the values of an expression can be instances of: `new C()`, or an array of such. */
function classesOfValue(ctx: AnalysisContext, value: Node | undefined, element: boolean, depth: number): ClassNode[] {
  if (!value || depth > 4) return [];
  const inner = unwrap(value);
  if (!element) {
    const cls = classOfNew(ctx.resolver, inner);
    if (cls) return [cls];
    // `const db = getDatabaseManager()`, `DatabaseManager.getInstance()`: what the function returns.
    if (Node.isCallExpression(inner)) return classesReturnedBy(ctx, inner, depth + 1);
    // `const printer = this.printer`: what the field holds.
    return Node.isIdentifier(inner) || Node.isPropertyAccessExpression(inner) ? classesOfReceiver(ctx, inner, depth + 1) : [];
  }
  if (Node.isArrayLiteralExpression(inner)) return inner.getElements().flatMap((e) => classesOfValue(ctx, e, false, depth + 1));
  if (Node.isIdentifier(inner)) {
    const binding = ctx.resolver.resolve(inner);
    if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) return [];
    const annotated = classesOfType(ctx, binding.node.getTypeNode(), true);
    return annotated.length > 0 ? annotated : classesOfValue(ctx, binding.node.getInitializer(), true, depth + 1);
  }
  return [];
}

/**
 * Classes a call's result can be an instance of: what the called project function declares it returns
 * (`getDatabaseManager(): DatabaseManager`, `static getInstance(): DatabaseManager`, `Promise<C>` once awaited),
 * or else what its return statements build or hold (`return DatabaseManager.instance`). This is how a singleton
 * reached through an accessor, not a module variable, is seen as the one object every tool shares.
 */
function classesReturnedBy(ctx: AnalysisContext, call: CallExpression, depth: number): ClassNode[] {
  if (depth > 4) return [];
  const out = new Set<ClassNode>();
  for (const fn of calledFunctions(ctx, call)) {
    const declared = fn.getReturnTypeNode();
    const typed = declared ? classesOfType(ctx, promisedType(declared) ?? declared, false) : [];
    const returned = typed.length > 0 ? typed : returnedValues(fn).flatMap((value) => (value ? classesOfValue(ctx, value, false, depth) : []));
    for (const cls of returned) out.add(cls);
  }
  return [...out];
}

/** The project functions a call can run: a function by name, a class's static method, or a method of a receiver. */
function calledFunctions(ctx: AnalysisContext, call: CallExpression): FunctionNode[] {
  const callee = unwrap(call.getExpression());
  if (Node.isIdentifier(callee)) {
    const binding = ctx.resolver.resolve(callee);
    if (binding?.kind !== 'declaration') return [];
    if (Node.isFunctionDeclaration(binding.node)) return [binding.node];
    const value = Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
    const fn = value && unwrap(value);
    return fn && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) ? [fn] : [];
  }
  if (!Node.isPropertyAccessExpression(callee)) return [];
  const name = callee.getName();
  const statics = classesNamed(ctx, indexOf(ctx).byName, callee.getExpression()).flatMap((cls) => {
    const method = cls.getStaticMethod(name);
    return method?.getBody() ? [method] : [];
  });
  return statics.length > 0 ? statics : methodsOf(ctx, callee.getExpression(), name);
}

/** The classes a static field is declared as (`static instance: C | null`) or assigned (`C.instance = new C()`). */
function staticFieldClasses(ctx: AnalysisContext, owner: ClassNode, name: string): ClassNode[] {
  const property = owner.getStaticProperty(name);
  if (!property || !Node.isPropertyDeclaration(property)) return [];
  const typed = classesOfType(ctx, property.getTypeNode(), false);
  if (typed.length > 0) return typed;
  const built = new Set<ClassNode>();
  for (const assignment of owner.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    const left = assignment.getLeft();
    if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken || !Node.isPropertyAccessExpression(left) || left.getName() !== name) continue;
    const cls = classOfNew(ctx.resolver, unwrap(assignment.getRight()));
    if (cls) built.add(cls);
  }
  return [...built];
}

/** `T` of a declared `Promise<T>`: what awaiting the call gives. */
function promisedType(type: Node): Node | undefined {
  if (!Node.isTypeReference(type) || type.getTypeName().getText() !== 'Promise') return undefined;
  return type.getTypeArguments()[0];
}

/** Classes a receiver expression can be an instance of (subclasses included), as far as the syntax tells. */
export function classesOfReceiver(ctx: AnalysisContext, receiver: Node, depth = 0): ClassNode[] {
  const inner = unwrap(receiver);
  if (inner.getKind() === SyntaxKind.ThisKeyword) {
    const owner = inner.getFirstAncestor((a): a is ClassNode => Node.isClassDeclaration(a) || Node.isClassExpression(a));
    return owner ? withSubclasses(ctx, [owner]) : [];
  }
  // `this.session.connect()`: the classes the field is declared or built as.
  if (Node.isPropertyAccessExpression(inner) && unwrap(inner.getExpression()).getKind() === SyntaxKind.ThisKeyword && depth <= 4) {
    const owner = inner.getFirstAncestor((a): a is ClassNode => Node.isClassDeclaration(a) || Node.isClassExpression(a));
    return owner ? withSubclasses(ctx, fieldClasses(ctx, owner, inner.getName())) : [];
  }
  // `getStore().current()`: what the call returns.
  if (Node.isCallExpression(inner)) return withSubclasses(ctx, classesReturnedBy(ctx, inner, depth + 1));
  // `DatabaseManager.instance`: what a static field holds.
  if (Node.isPropertyAccessExpression(inner) && depth <= 4) {
    const owners = classesNamed(ctx, indexOf(ctx).byName, inner.getExpression());
    return withSubclasses(ctx, owners.flatMap((owner) => staticFieldClasses(ctx, owner, inner.getName())));
  }
  if (!Node.isIdentifier(inner) || depth > 4) return [];
  const binding = ctx.resolver.resolve(inner);
  // `import service from './service'` where that module ends `export default new Service()`.
  if (binding?.kind === 'expression') return withSubclasses(ctx, classesOfValue(ctx, binding.node, false, depth));
  if (binding?.kind !== 'declaration') return [];
  const node = binding.node;
  let found: ClassNode[] = [];
  if (Node.isVariableDeclaration(node)) {
    found = classesOfType(ctx, node.getTypeNode(), false);
    if (found.length === 0) found = classesOfValue(ctx, node.getInitializer(), false, depth);
    const loop = node.getParent()?.getParent();
    if (found.length === 0 && loop && Node.isForOfStatement(loop)) found = classesOfValue(ctx, loop.getExpression(), true, depth);
  } else if (Node.isParameterDeclaration(node)) {
    found = classesOfType(ctx, node.getTypeNode(), false);
    // `tools.forEach((tool) => …)`: the parameter is an element of the array.
    const fn = node.getParent();
    const call = fn?.getParent();
    if (found.length === 0 && call && Node.isCallExpression(call)) {
      const callee = call.getExpression();
      if (Node.isPropertyAccessExpression(callee) && ['forEach', 'map'].includes(callee.getName())) found = classesOfValue(ctx, callee.getExpression(), true, depth);
    }
  } else if (Node.isBindingElement(node)) {
    // `const { api } = context`, `({ api }: Ctx) => …`: the class the checker gives the destructured property.
    found = projectClassesOf(ctx, node.getType().getSymbol()?.getDeclarations() ?? []);
  }
  return withSubclasses(ctx, found);
}

/** The declarations that are classes of the analysed project. */
function projectClassesOf(ctx: AnalysisContext, declarations: readonly Node[]): ClassNode[] {
  return declarations.filter((d): d is ClassDeclaration => Node.isClassDeclaration(d) && ctx.fileInfo(d) !== undefined);
}

/** Whether any project class has a member called `name` (a cheap test before resolving a receiver). */
export function isClassMemberName(ctx: AnalysisContext, name: string): boolean {
  return indexOf(ctx).members.has(name);
}

/** The methods (or arrow-function properties) named `name` that a call on the receiver can run. */
export function methodsOf(ctx: AnalysisContext, receiver: Node, name: string): FunctionNode[] {
  const out = new Set<FunctionNode>();
  for (const cls of classesOfReceiver(ctx, receiver)) {
    // The class's own implementation, or the one it inherits (`this.changeState()` defined in a base class).
    for (const declaring of [cls, ...baseClasses(ctx, cls)]) {
      const method = declaring.getMethod(name);
      const initializer = declaring.getProperty(name)?.getInitializer();
      const value = initializer && unwrap(initializer);
      if (method && method.getBody()) out.add(method);
      else if (value && (Node.isArrowFunction(value) || Node.isFunctionExpression(value))) out.add(value);
      else if (!method) continue;
      break;
    }
  }
  return [...out];
}

/** The getter (or setter, for a write) that reading or writing `receiver.name` runs. */
export function accessorsOf(ctx: AnalysisContext, receiver: Node, name: string, write: boolean): Node[] {
  const out = new Set<Node>();
  for (const cls of classesOfReceiver(ctx, receiver)) {
    for (const declaring of [cls, ...baseClasses(ctx, cls)]) {
      const accessor = write ? declaring.getSetAccessor(name) : declaring.getGetAccessor(name);
      if (!accessor) continue;
      out.add(accessor);
      break;
    }
  }
  return [...out];
}

/**
 * Every method and getter of a class, its own and inherited: what code handed the instance itself
 * (`tool.handle(this, args)`) can run on it.
 */
export function membersOf(ctx: AnalysisContext, cls: ClassNode): Node[] {
  const out: Node[] = [];
  const seen = new Set<string>();
  for (const declaring of [cls, ...baseClasses(ctx, cls)]) {
    for (const member of declaring.getMembers()) {
      if ((!Node.isMethodDeclaration(member) && !Node.isGetAccessorDeclaration(member)) || !member.getBody()) continue;
      if (member.hasModifier(SyntaxKind.StaticKeyword) || seen.has(member.getName())) continue;
      seen.add(member.getName());
      out.push(member);
    }
  }
  return out;
}

/** Classes with the classes they extend and the classes extending them: one hierarchy's instances. */
export function hierarchyOf(ctx: AnalysisContext, classes: readonly ClassNode[]): ClassNode[] {
  return [...new Set(withSubclasses(ctx, classes).flatMap((cls) => [cls, ...baseClasses(ctx, cls)]))];
}

/**
 * What code handed an instance can reach: the instance's members, and those of the objects its fields hold
 * (`context.browserSessions().open(id)`), as far as the fields' classes are known.
 */
export function reachableThrough(ctx: AnalysisContext, cls: ClassNode): Node[] {
  const out = new Set<Node>(membersOf(ctx, cls));
  const fields = new Set<string>();
  for (const declaring of [cls, ...baseClasses(ctx, cls)]) {
    for (const property of declaring.getProperties()) if (!property.isStatic()) fields.add(property.getName());
    for (const ctor of declaring.getConstructors()) {
      for (const parameter of ctor.getParameters()) if (parameter.isParameterProperty()) fields.add(parameter.getName());
      for (const assignment of ctor.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
        const left = assignment.getLeft();
        if (Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword) fields.add(left.getName());
      }
    }
  }
  for (const field of fields) {
    for (const held of withSubclasses(ctx, fieldClasses(ctx, cls, field))) if (held !== cls) for (const member of membersOf(ctx, held)) out.add(member);
  }
  return [...out];
}

/** The classes a class extends, nearest first, as far as they are project classes. */
function baseClasses(ctx: AnalysisContext, cls: ClassNode): ClassNode[] {
  const { byName } = indexOf(ctx);
  const out: ClassNode[] = [];
  for (let current: ClassNode | undefined = cls; current && out.length < 8; ) {
    const base: Node | undefined = current.getExtends()?.getExpression();
    const next: ClassNode | undefined = base ? classesNamed(ctx, byName, base)[0] : undefined;
    if (!next || out.includes(next) || next === cls) break;
    out.push(next);
    current = next;
  }
  return out;
}

/**
 * The classes a field can hold (`this.name`), from where it is declared in the class or a base class: its type
 * (`readonly session: Session`, a constructor parameter property), `new C()` in its initializer or the
 * constructor, or the type of the constructor parameter assigned to it.
 */
export function fieldClasses(ctx: AnalysisContext, owner: ClassNode, name: string): ClassNode[] {
  for (const cls of [owner, ...baseClasses(ctx, owner)]) {
    const property = cls.getProperty(name);
    if (property) {
      const typed = classesOfType(ctx, property.getTypeNode(), false);
      if (typed.length > 0) return typed;
      const built = classOfNew(ctx.resolver, unwrap(property.getInitializer() ?? property));
      if (built) return [built];
    }
    for (const ctor of cls.getConstructors()) {
      const parameter = ctor.getParameters().find((p) => p.isParameterProperty() && p.getName() === name);
      if (parameter) return classesOfType(ctx, parameter.getTypeNode(), false);
      for (const assignment of ctor.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
        const left = assignment.getLeft();
        if (!Node.isPropertyAccessExpression(left) || left.getName() !== name || left.getExpression().getKind() !== SyntaxKind.ThisKeyword) continue;
        const value = unwrap(assignment.getRight());
        const built = classOfNew(ctx.resolver, value);
        if (built) return [built];
        const source = Node.isIdentifier(value) ? ctor.getParameters().find((p) => p.getName() === value.getText()) : undefined;
        if (source) return classesOfType(ctx, source.getTypeNode(), false);
      }
    }
    if (property) return [];
  }
  return [];
}
