/**
 * A selection of a value the caller can name (P7: `set_model(model)`, `use_database(name)`, `set_team(team)`)
 * becomes an explicit parameter of the tools that read it, rather than an opaque handle wrapping an id the
 * caller already has. The setter goes; each reader takes the value under the setter's argument name, with the
 * setter's schema (so it is checked the same way) and the old starting value as its default.
 */
import { Node, type Expression, type ObjectLiteralExpression } from 'ts-morph';
import type { StateAccess, StateVariable } from '../../src/analysis/index.js';
import { isNullish, unwrap } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { SELECTION_PREFIX } from '../../src/rules/handles-naming.js';
import { roleOf } from '../../src/rules/handles-verbs.js';
import { toolList } from './generate.js';
import { propertyNamed } from './layout.js';
import { snakeCase } from './naming.js';
import { addIdParam } from './params.js';
import { readToolCall, shapeLiteral, type EditableTool } from './registration.js';
import { byTool, statementOf, type PlanContext, type SiteResult } from './site.js';

/** Schemas of values a caller can name: strings, numbers, enums (not objects, arrays or live values). */
const NAMEABLE_SCHEMA = /^z\.(?:string|number|enum|literal|union|nativeEnum)\(/;

/**
 * Plan a selection as explicit parameters, or say why it does not fit (undefined: the value-handle planner
 * takes it instead).
 */
export function planSelectionParams(state: StateVariable, plan: PlanContext): SiteResult | undefined {
  const declaration = state.declaration;
  if (!Node.isVariableDeclaration(declaration) || state.accesses.some((a) => a.by.length !== 1 || a.by[0]!.kind !== 'tool')) return undefined;
  const { tools, outside } = byTool(state, plan.model.registrations);
  if (outside.length > 0) return undefined;
  const uses = [...tools].map(([registration, accesses]) => ({ registration, accesses, tool: readToolCall(registration.call) }));
  if (uses.some((use) => !use.tool?.handler)) return undefined;
  const setters = uses.filter((use) => use.accesses.some((a) => a.mode === 'write'));
  if (setters.length !== 1) return undefined;
  const setter = setters[0]!;
  const setterTool = setter.tool as EditableTool;
  if (roleOf(setterTool.name) !== 'setter' && roleOf(setterTool.name) !== 'creator') return undefined;
  const argument = setterArgument(setter.accesses, setterTool);
  if (!argument) return undefined;
  if (!onlySets(setterTool, setter.accesses)) return undefined;
  const readers = uses.filter((use) => use !== setter);
  if (readers.length === 0 || readers.some((use) => use.accesses.some((a) => a.mode === 'write'))) return undefined;
  if (readers.some((use) => use.tool!.schema && !shapeLiteral(use.tool!.schema))) return undefined;
  if (readers.some((use) => hasParameter(use.tool!, argument.name))) return undefined;
  // Readers reach the value in their own handler, where the new parameter is in scope (not through helpers).
  if (readers.some((use) => use.accesses.some((a) => !a.node.getAncestors().includes(use.tool!.handler!)))) return undefined;

  // The parameter says what it selects (`database`), not how the setter called it (`name`).
  const param = snakeCase(state.name.replace(SELECTION_PREFIX, '')) || argument.name;
  if (readers.some((use) => hasParameter(use.tool!, param))) return undefined;
  const initializer = declaration.getInitializer();
  const schema = initializer && !isNullish(initializer) ? `${argument.schema}.default(${initializer.getText()})` : argument.schema;
  for (const use of readers) {
    const tool = use.tool as EditableTool;
    const edits = plan.edits.for(tool.call.getSourceFile());
    const names = addIdParam(edits, tool, { idParam: param, schema, sdk: use.registration.sdk });
    if (typeof names === 'string') return undefined;
    for (const access of use.accesses) edits.replaceNode(access.node, names.id);
  }
  const file = declaration.getSourceFile();
  plan.edits.for(setterTool.call.getSourceFile()).removeDeclaration(statementOf(setterTool.call)!);
  plan.edits.for(file).removeStatement(declaration.getVariableStatementOrThrow());
  return {
    pattern: 'P7',
    rule: 'SL003',
    state: state.name,
    file: relativeOf(file),
    line: declaration.getStartLineNumber(),
    summary: `${state.name}: ${setterTool.name} goes; ${toolList(readers.map((use) => use.tool!.name))} ${readers.length === 1 ? 'takes' : 'take'} ${param} explicitly${initializer && !isNullish(initializer) ? ` (default ${initializer.getText()})` : ''}`,
  };
}

/** The setter's argument the value is taken from, with its schema: `model = args.model` with `model: z.enum([…])`. */
function setterArgument(accesses: readonly StateAccess[], tool: EditableTool): { name: string; schema: string } | undefined {
  const writes = accesses.filter((a) => a.mode === 'write');
  if (writes.length !== 1 || writes[0]!.op !== 'assign' || !writes[0]!.value) return undefined;
  const value = unwrap(writes[0]!.value);
  let name: string | undefined;
  const args = tool.args?.getNameNode();
  if (Node.isPropertyAccessExpression(value) && args && Node.isIdentifier(args) && value.getExpression().getText() === args.getText()) name = value.getName();
  if (Node.isIdentifier(value) && args && Node.isObjectBindingPattern(args)) {
    const element = args.getElements().find((e) => e.getName() === value.getText());
    if (element && !element.getPropertyNameNode()) name = element.getName();
  }
  const shape = shapeLiteral(tool.schema);
  const property = name && shape ? propertyNamed(shape, name) : undefined;
  const schema = property && Node.isPropertyAssignment(property) ? property.getInitializer()?.getText() : undefined;
  if (!name || !schema || !NAMEABLE_SCHEMA.test(schema) || /\.optional\(\)|\.default\(/.test(schema)) return undefined;
  return { name, schema };
}

/** Whether the setter does nothing but set the value and answer (anything else would be lost with it). */
function onlySets(tool: EditableTool, accesses: readonly StateAccess[]): boolean {
  const body = tool.handler.getBody();
  if (!Node.isBlock(body)) return false;
  const assignment = statementOf(accesses.find((a) => a.mode === 'write')!.node);
  return body.getStatements().every((statement) => statement === assignment || (Node.isReturnStatement(statement) && isPlainResult(statement.getExpression())));
}

function isPlainResult(expression: Expression | undefined): boolean {
  const inner = expression && unwrap(expression);
  return !!inner && Node.isObjectLiteralExpression(inner) && !(inner as ObjectLiteralExpression).getProperties().some((p) => Node.isSpreadAssignment(p));
}

function hasParameter(tool: NonNullable<ReturnType<typeof readToolCall>>, name: string): boolean {
  const shape = shapeLiteral(tool.schema);
  return !!shape && propertyNamed(shape, name) !== undefined;
}

