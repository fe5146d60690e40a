/** Resolving an expression that denotes a function (a callee, a handler passed by name) to its body. */
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression, type ObjectLiteralExpression } from 'ts-morph';
import type { FunctionNode } from './model.js';
import type { Binding, Resolver } from './scope.js';
import { isFunctionBoundary, isFunctionNode, unwrap } from './syntax.js';
import { thisFieldAssignments } from './this-fields.js';

/** The function an expression denotes: an inline function, a name bound to one, `this.method`, `module.fn`, `obj.method`. */
export function resolveFunction(resolver: Resolver, expression: Node | undefined, depth = 0): FunctionNode | undefined {
  if (!expression || depth > 4) return undefined;
  const node = unwrap(expression);
  if (isFunctionNode(node)) return node;
  if (Node.isIdentifier(node)) return functionOfBinding(resolver, resolver.resolve(node), depth);
  if (Node.isCallExpression(node)) {
    // `this.handle.bind(this)` and `fn.bind(x)`
    const callee = node.getExpression();
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'bind') return resolveFunction(resolver, callee.getExpression(), depth + 1);
    // A middleware wrapper returns its handler wrapped (`logging.wrapHandler('CallTool', withMonitoring(fn))`,
    // `wrapToolHandler(handleToolCall)`): what runs is the function it was given.
    for (const arg of [...node.getArguments()].reverse()) {
      const wrapped = resolveFunction(resolver, arg, depth + 1);
      if (wrapped) return wrapped;
    }
    return undefined;
  }
  if (Node.isPropertyAccessExpression(node)) {
    const name = node.getName();
    const receiver = unwrap(node.getExpression());
    if (receiver.getKind() === SyntaxKind.ThisKeyword) {
      const owner = node.getFirstAncestor((a): a is ClassDeclaration | ClassExpression => Node.isClassDeclaration(a) || Node.isClassExpression(a));
      return owner ? classMember(owner, name) : undefined;
    }
    if (Node.isPropertyAccessExpression(receiver) && unwrap(receiver.getExpression()).getKind() === SyntaxKind.ThisKeyword) {
      // `this.manager.open()` where the field holds `new Manager()`
      const owner = receiver.getFirstAncestor((a): a is ClassDeclaration | ClassExpression => Node.isClassDeclaration(a) || Node.isClassExpression(a));
      const created = owner ? fieldInitializer(owner, receiver.getName()) : undefined;
      const cls = created ? (classOfNew(resolver, created) ?? classOfNew(resolver, lazilyBuilt(created))) : undefined;
      return cls ? classMember(cls, name) : undefined;
    }
    if (Node.isIdentifier(receiver)) {
      const binding = resolver.resolve(receiver);
      if (binding?.kind === 'module') return functionOfBinding(resolver, resolver.resolveMember(binding.file, name), depth);
      if (binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node)) {
        const initializer = binding.node.getInitializer();
        const value = initializer ? unwrap(initializer) : undefined;
        if (value && Node.isObjectLiteralExpression(value)) {
          const property = value.getProperty(name);
          if (property && Node.isMethodDeclaration(property)) return property;
          if (property && Node.isPropertyAssignment(property)) return resolveFunction(resolver, property.getInitializer(), depth + 1);
          if (property && Node.isShorthandPropertyAssignment(property)) return resolveFunction(resolver, property.getNameNode(), depth + 1);
        }
        if (value && Node.isNewExpression(value)) {
          const cls = classOfNew(resolver, value);
          return cls ? classMember(cls, name) : undefined;
        }
      }
    }
  }
  return undefined;
}

function functionOfBinding(resolver: Resolver, binding: Binding | undefined, depth: number): FunctionNode | undefined {
  if (!binding) return undefined;
  if (binding.kind === 'expression') return resolveFunction(resolver, binding.node, depth + 1);
  if (binding.kind !== 'declaration') return undefined;
  const node = binding.node;
  if (isFunctionNode(node)) return node;
  if (Node.isVariableDeclaration(node)) {
    const initializer = node.getInitializer();
    if (!initializer) return undefined;
    const value = unwrap(initializer);
    if (isFunctionNode(value)) return value;
    // `const wrapped = wrapToolHandler(handleToolCall)`: calling it runs the wrapped function.
    return Node.isCallExpression(value) ? resolveFunction(resolver, value, depth + 1) : undefined;
  }
  return undefined;
}

/**
 * The functions a wrapper returns around what it was given, when `expression` names the result
 * (`const listSchemasWithRetry = withConnectionRetry(listSchemas)`): calling it runs the wrapper's own closure
 * (its retry code) as well as the wrapped function that resolveFunction finds.
 */
export function wrapperClosures(resolver: Resolver, expression: Node): FunctionNode[] {
  const callee = unwrap(expression);
  const binding = Node.isIdentifier(callee) ? resolver.resolve(callee) : undefined;
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) return [];
  const initializer = binding.node.getInitializer();
  const made = initializer ? unwrap(initializer) : undefined;
  if (!made || !Node.isCallExpression(made)) return [];
  const wrapper = resolveFunction(resolver, made.getExpression());
  if (!wrapper || !made.getArguments().some((arg) => resolveFunction(resolver, arg) !== undefined)) return [];
  return returnedValues(wrapper).flatMap((value) => (value && isFunctionNode(unwrap(value)) ? [unwrap(value) as FunctionNode] : []));
}

/** A method, or a property holding an arrow function, of a class (own members only). */
export function classMember(owner: ClassDeclaration | ClassExpression, name: string): FunctionNode | undefined {
  const method = owner.getMethod(name);
  if (method) return method;
  const property = owner.getProperty(name);
  const initializer = property?.getInitializer();
  return initializer && isFunctionNode(unwrap(initializer)) ? (unwrap(initializer) as FunctionNode) : undefined;
}

/** What a class field is initialised with: the property initializer, or the first `this.name = …` in the constructor. */
export function fieldInitializer(owner: ClassDeclaration | ClassExpression, name: string): Node | undefined {
  const initializer = owner.getProperty(name)?.getInitializer();
  if (initializer) return unwrap(initializer);
  for (const ctor of owner.getConstructors()) {
    const [assignment] = thisFieldAssignments(ctor, name);
    if (assignment) return unwrap(assignment.getRight());
  }
  return undefined;
}

/**
 * What a call builds through the function it is given last, when that function only builds it:
 * `scope.instance('guard', () => new Guard(…))` (a record's own object), `lazy(() => new Client())`.
 */
function lazilyBuilt(node: Node): Node {
  if (!Node.isCallExpression(node)) return node;
  const last = node.getArguments().at(-1);
  const builder = last && unwrap(last);
  const body = builder && Node.isArrowFunction(builder) ? builder.getBody() : undefined;
  return body && Node.isNewExpression(unwrap(body)) ? unwrap(body) : node;
}

/** The class a `new X(…)` instantiates, when X resolves to a class in the project. */
export function classOfNew(resolver: Resolver, node: Node): ClassDeclaration | ClassExpression | undefined {
  if (!Node.isNewExpression(node)) return undefined;
  const callee = unwrap(node.getExpression());
  if (!Node.isIdentifier(callee)) return undefined;
  const binding = resolver.resolve(callee);
  if (binding?.kind !== 'declaration') return undefined;
  if (Node.isClassDeclaration(binding.node)) return binding.node;
  if (Node.isVariableDeclaration(binding.node)) {
    const initializer = binding.node.getInitializer();
    const value = initializer ? unwrap(initializer) : undefined;
    if (value && Node.isClassExpression(value)) return value;
  }
  return undefined;
}

/**
 * The values a function hands back: an arrow's expression body, or each `return` of its own (not of nested
 * functions), `undefined` for a bare `return;`.
 */
export function returnedValues(fn: FunctionNode): Array<Node | undefined> {
  const body = fn.getBody();
  if (!body) return [];
  if (!Node.isBlock(body)) return [body];
  return body
    .getDescendantsOfKind(SyntaxKind.ReturnStatement)
    .filter((statement) => statement.getFirstAncestor(isFunctionBoundary) === fn)
    .map((statement) => statement.getExpression());
}

/**
 * The functions `item.handler(…)` can run when `item` walks a table of tool objects: the callback parameter of
 * `tools.forEach((item) => …)` / `map` / `for (const item of tools)`, where `tools` is an array of object
 * literals (directly, through variables and imports, spreads, or what a function such as `getAllTools()`
 * returns). Each element's `handler` property or method, for every element that has one.
 */
export function elementFunctions(resolver: Resolver, callee: Node): FunctionNode[] {
  const access = unwrap(callee);
  if (!Node.isPropertyAccessExpression(access)) return [];
  const receiver = unwrap(access.getExpression());
  if (!Node.isIdentifier(receiver)) return [];
  const binding = resolver.resolve(receiver);
  if (binding?.kind !== 'declaration') return [];
  const list = iteratedList(binding.node);
  if (!list) return [];
  const name = access.getName();
  return arrayElements(resolver, list).flatMap((element) => {
    const property = element.getProperty(name);
    if (property && Node.isMethodDeclaration(property)) return [property];
    const value = property && Node.isPropertyAssignment(property) ? property.getInitializer() : property && Node.isShorthandPropertyAssignment(property) ? property.getNameNode() : undefined;
    const target = resolveFunction(resolver, value);
    return target ? [target] : [];
  });
}

/** The list a loop variable walks: `list.forEach((item) => …)`, `list.map(…)`, `for (const item of list)`. */
function iteratedList(declaration: Node): Node | undefined {
  if (Node.isParameterDeclaration(declaration)) {
    const callback = declaration.getParent();
    const call = callback?.getParent();
    if (!callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback)) || callback.getParameters()[0] !== declaration || !call || !Node.isCallExpression(call)) return undefined;
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) && ['forEach', 'map', 'flatMap', 'filter'].includes(callee.getName()) && call.getArguments()[0] === callback ? callee.getExpression() : undefined;
  }
  if (Node.isVariableDeclaration(declaration)) {
    const loop = declaration.getParent()?.getParent();
    return loop && Node.isForOfStatement(loop) ? loop.getExpression() : undefined;
  }
  return undefined;
}

/** The object literals an array expression holds: `[a, b]`, `[...base]`, a variable, an import, a function's return. */
function arrayElements(resolver: Resolver, node: Node | undefined, depth = 0): ObjectLiteralExpression[] {
  // Real registries nest deep: a local, the function returning the table, an IIFE, a spread of a base list, an import.
  if (!node || depth > 12) return [];
  const value = unwrap(node);
  if (Node.isObjectLiteralExpression(value)) return [value];
  if (Node.isArrayLiteralExpression(value)) {
    return value.getElements().flatMap((element) => arrayElements(resolver, Node.isSpreadElement(element) ? element.getExpression() : element, depth + 1));
  }
  if (Node.isIdentifier(value)) {
    const binding = resolver.resolve(value);
    return binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? arrayElements(resolver, binding.node.getInitializer(), depth + 1) : [];
  }
  if (Node.isCallExpression(value)) {
    const builder = resolveFunction(resolver, value.getExpression());
    return builder ? returnedValues(builder).flatMap((returned) => arrayElements(resolver, returned, depth + 1)) : [];
  }
  return [];
}
