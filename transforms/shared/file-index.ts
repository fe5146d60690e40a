import { ts, type Identifier, type KindToNodeMappings, type Node, type SourceFile } from 'ts-morph';
import { wrapNode } from '../../src/analysis/syntax.js';

/**
 * One walk per parsed file, shared by every question the transport and list transforms ask about it:
 * the file's identifiers and a few node kinds, in the order ts-morph's `getDescendantsOfKind` yields
 * them, so subtree queries become range lookups instead of fresh walks that wrap every node.
 *
 * The index is keyed by the compiler's source file. Edits (`replaceWithText`) parse a new one, so an
 * index never outlives the text it describes, and caches kept on it (resolved names) go with it.
 */

/** Node kinds the index collects (any other kind goes through ts-morph). */
const INDEXED_KINDS = [
  ts.SyntaxKind.CallExpression,
  ts.SyntaxKind.NewExpression,
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.BinaryExpression,
  ts.SyntaxKind.ElementAccessExpression,
  ts.SyntaxKind.PropertyAccessExpression,
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.ReturnStatement,
] as const;

export type IndexedKind = (typeof INDEXED_KINDS)[number];

export interface FileIndex {
  readonly source: ts.SourceFile;
  /**
   * Every identifier, JSDoc included, in document order: what `getDescendantsOfKind(Identifier)` visits
   * (identifiers are tokens, which ts-morph finds through `getChildren()`, and that includes JSDoc).
   */
  readonly identifiers: readonly ts.Identifier[];
  /** Whether an identifier sits inside a JSDoc comment (range lookups must check its ancestry). */
  readonly inJsDoc: ReadonlySet<ts.Node>;
  /** Nodes of the indexed kinds, outside JSDoc, in pre-order (what `getDescendantsOfKind` visits for them). */
  readonly byKind: ReadonlyMap<ts.SyntaxKind, readonly ts.Node[]>;
  /** Free-form caches of the modules that use the index, dropped with it. */
  readonly caches: Map<string, unknown>;
}

const indexes = new WeakMap<ts.SourceFile, FileIndex>();

function build(source: ts.SourceFile): FileIndex {
  const identifiers: ts.Identifier[] = [];
  const inJsDoc = new Set<ts.Node>();
  const byKind = new Map<ts.SyntaxKind, ts.Node[]>(INDEXED_KINDS.map((kind) => [kind, []]));
  const visitDoc = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.Identifier) {
      identifiers.push(node as ts.Identifier);
      inJsDoc.add(node);
    }
    ts.forEachChild(node, visitDoc);
  };
  const visit = (node: ts.Node): void => {
    const docs = (node as { jsDoc?: ts.Node[] }).jsDoc;
    if (docs) for (const doc of docs) visitDoc(doc);
    if (node.kind === ts.SyntaxKind.Identifier) identifiers.push(node as ts.Identifier);
    else byKind.get(node.kind)?.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return { source, identifiers, inJsDoc, byKind, caches: new Map() };
}

/** The index of a file's current text. */
export function fileIndex(file: SourceFile): FileIndex {
  const source = file.compilerNode;
  let index = indexes.get(source);
  if (!index) {
    index = build(source);
    indexes.set(source, index);
  }
  return index;
}

/** A cache that lives as long as the file's current text. */
export function indexCache<K, V>(file: SourceFile, name: string): Map<K, V> {
  const { caches } = fileIndex(file);
  let cache = caches.get(name) as Map<K, V> | undefined;
  if (!cache) {
    cache = new Map<K, V>();
    caches.set(name, cache);
  }
  return cache;
}

/** Whether `node` is `ancestor` or lies under it. */
export function isWithin(node: ts.Node, ancestor: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (current === ancestor) return true;
    if (current.pos < ancestor.pos) return false;
  }
  return false;
}

/** First position in `list` (sorted by `key`) whose key is at least `value`. */
function lowerBound(list: readonly ts.Node[], value: number, key: (node: ts.Node) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (key(list[middle] as ts.Node) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Identifiers inside `node` (itself included), in document order. Identifiers do not overlap, so their
 * ends ascend; a JSDoc identifier in the range may belong to a parent's comment, so it is checked.
 */
export function identifiersIn(index: FileIndex, node: ts.Node): ts.Identifier[] {
  const { identifiers } = index;
  const out: ts.Identifier[] = [];
  for (let i = lowerBound(identifiers, node.pos + 1, (id) => id.end); i < identifiers.length; i++) {
    const id = identifiers[i] as ts.Identifier;
    if (id.end > node.end) break;
    if (id.pos < node.pos) continue;
    if (index.inJsDoc.has(id) && !isWithin(id, node)) continue;
    out.push(id);
  }
  return out;
}

/** Descendants of `node` (not itself) of an indexed kind, in the order `getDescendantsOfKind` gives. */
export function descendantsOfKind(index: FileIndex, node: ts.Node, kind: IndexedKind): ts.Node[] {
  const list = index.byKind.get(kind) ?? [];
  const out: ts.Node[] = [];
  if (node.kind === ts.SyntaxKind.SourceFile) return [...list];
  for (let i = lowerBound(list, node.pos, (n) => n.pos); i < list.length; i++) {
    const candidate = list[i] as ts.Node;
    if (candidate.pos >= node.end && candidate.pos > node.pos) break;
    if (candidate === node || candidate.end > node.end) continue;
    // A node with exactly the parent's range may be its ancestor rather than its descendant.
    if (candidate.pos === node.pos && candidate.end === node.end && !isWithin(candidate, node)) continue;
    out.push(candidate);
  }
  return out;
}

/** `node.getDescendantsOfKind(kind)` for an indexed kind, answered from the file's index. */
export function nodesOfKind<K extends IndexedKind>(node: Node, kind: K): Array<KindToNodeMappings[K]> {
  const file = node.getSourceFile();
  return descendantsOfKind(fileIndex(file), node.compilerNode, kind).map((found) => wrap<KindToNodeMappings[K]>(file, found));
}

/** `node.getDescendantsOfKind(SyntaxKind.Identifier)`, answered from the file's index. */
export function identifiersOf(node: Node): Identifier[] {
  const file = node.getSourceFile();
  return identifiersIn(fileIndex(file), node.compilerNode)
    .filter((id) => id !== node.compilerNode)
    .map((id) => wrap<Identifier>(file, id));
}

/** The ts-morph node for a compiler node of `file`. */
export function wrap<T extends Node = Node>(file: SourceFile, node: ts.Node): T {
  const wrapped = wrapNode<T>(file, node);
  if (!wrapped) throw new Error(`cannot find the ts-morph node for a ${ts.SyntaxKind[node.kind]}`);
  return wrapped;
}

/** Source text of an identifier as written (what ts-morph's `getText()` returns). */
export function identifierText(source: ts.SourceFile, id: ts.Identifier): string {
  const text = id.text;
  // Without unicode escapes, the identifier's last characters are its text.
  if (source.text.startsWith(text, id.end - text.length) && id.end - text.length >= id.pos) {
    const before = source.text.charCodeAt(id.end - text.length - 1);
    if (before !== 92 /* backslash */ && !isIdentifierPart(before)) return text;
  }
  return id.getText(source);
}

function isIdentifierPart(code: number): boolean {
  return ts.isIdentifierPart(code, ts.ScriptTarget.ESNext);
}
