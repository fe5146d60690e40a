/**
 * The text of a record: the literal a fresh record starts as, and what references to the old variables
 * become (`page` → `browser.page`). Shared by a record's own module and the modules that keep a part of it.
 */
import { Node, SyntaxKind, type Identifier, type PropertyAccessExpression } from 'ts-morph';
import { isNullish } from '../../src/analysis/syntax.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { toolList } from '../handles/generate.js';
import { indentOf } from '../handles/layout.js';
import type { ScopeMember } from './candidates.js';
import { constructorInitializer } from './fields.js';

/** The members a record holds, for messages: `browser, page and context`. */
export function stateList(members: readonly ScopeMember[]): string {
  return toolList(members.map((member) => member.name));
}

/** The lines of a fresh record's literal, one per member at `indent`: `page: undefined as Page | undefined,`. */
export function recordLines(members: readonly ScopeMember[], typed: boolean, indent: string): string[] {
  // A value written over several lines keeps its inner indentation, shifted to the record's.
  return members.map((member) => {
    const value = initialValue(member, typed);
    const holder = Node.isVariableDeclaration(member.declaration) ? (member.declaration.getVariableStatement() ?? member.declaration) : member.declaration;
    const shifted = spansLinesInLiteral(member.declaration) ? value : reindent(value, indentOf(holder), indent);
    // A field's own comment said what it holds: it goes with it into the record.
    const commented = member.kind === 'field' ? (Node.isPropertyDeclaration(member.declaration) ? member.declaration : constructorInitializer(member) ? member.declaration.getParentOrThrow() : undefined) : undefined;
    const comments = commented ? commented.getLeadingCommentRanges().filter((range) => !range.getText().includes(TODO_MARKER)).map((range) => `${indent}${reindent(range.getText(), indentOf(holder), indent)}\n`) : [];
    return `${comments.join('')}${indent}${member.name}: ${shifted},`;
  });
}

/** What a reference to the state becomes: `page` → `browser.page`; `{ page }` → `{ page: browser.page }`; `this.page` → `browser.page`. */
export function recordReference(ref: Identifier | PropertyAccessExpression, record: string): string {
  if (Node.isPropertyAccessExpression(ref)) return `${record}.${ref.getName()}`;
  const name = ref.getText();
  return Node.isShorthandPropertyAssignment(ref.getParent()) ? `${name}: ${record}.${name}` : `${record}.${name}`;
}

/** The state a reference names: `page`, or `page` of `this.page`. */
export function referenceName(ref: Identifier | PropertyAccessExpression): string {
  return Node.isPropertyAccessExpression(ref) ? ref.getName() : ref.getText();
}

/** The initial value of one state in a fresh record, typed as the variable was. */
export function initialValue(member: ScopeMember, typed: boolean): string {
  // Built on the record's first use, by the factory that serves the call.
  if (member.kind === 'factory-instance') return typed ? `undefined as ${member.className} | undefined` : 'undefined';
  // A JavaScript field: the value its constructor sets when that needs nothing of the constructor; otherwise the
  // constructor's write stays and sets it on start-up's record (see ScopeSpec.startup).
  if (member.kind === 'field' && !Node.isPropertyDeclaration(member.declaration)) {
    const value = constructorInitializer(member)?.getText() ?? 'undefined';
    return typed ? `${value} as any` : value;
  }
  const declaration = member.declaration as Node & { getInitializer(): Node | undefined; getTypeNode(): Node | undefined };
  const initializer = declaration.getInitializer();
  const annotation = declaration.getTypeNode()?.getText();
  const value = initializer ? initializer.getText() : 'undefined';
  if (!typed) return value;
  // `let page: Page | null;` starts undefined although its type says otherwise: keep both as they were.
  if (annotation && !initializer) return /\bundefined\b/.test(annotation) ? `undefined as ${annotation}` : `undefined as unknown as ${annotation}`;
  if (annotation) return `${value} as ${annotation}`;
  // What `let x;`, `let x = null` and `let x = []` evolve into.
  if (!initializer || isNullish(initializer) || initializer.getKind() === SyntaxKind.NullKeyword) return `${value} as any`;
  if (Node.isArrayLiteralExpression(initializer) && initializer.getElements().length === 0) return '[] as any[]';
  return value;
}

/** Whether a template literal in the node spans lines: its indentation is content, not layout. */
export function spansLinesInLiteral(node: Node): boolean {
  return [...node.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral), ...node.getDescendantsOfKind(SyntaxKind.TemplateExpression)].some((literal) => literal.getText().includes('\n'));
}

/** A statement's text moved from one indentation to another: its later lines keep their depth relative to the first. */
export function reindent(text: string, from: string, to: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? line : line.startsWith(from) ? to + line.slice(from.length) : to + line.trimStart()))
    .join('\n');
}
