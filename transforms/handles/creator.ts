import { Node, type Expression, type ObjectLiteralExpression } from 'ts-morph';
import type { TextEdits } from './edits.js';
import { handleTextItem, outputSchema, str, structuredContent, toolList, withArticle, type Style, type ToolForm } from './generate.js';
import { addProperties, indentOf, isSingleLine, lineAt, MAX_LINE, propertyNamed } from './layout.js';
import type { KindNames } from './naming.js';
import type { ToolCall } from './registration.js';

/**
 * Turn an existing tool into its state's creator: the description says what the handle is for and how long it
 * lives, and the tool declares an output schema for its structured result. A v1 `server.tool(…)` becomes
 * `server.registerTool(…)`, the only form that takes an output schema; on an SDK release without structured
 * output it stays `tool(…)` and only its description changes.
 */
export function makeCreator(edits: TextEdits, tool: ToolCall, style: Style, names: KindNames, users: readonly string[]): void {
  const description = describedCreator(tool.description, names, users);
  const structured = style.supports('structured-output');
  if (tool.method === 'addTool' && tool.config) {
    // FastMCP: `outputSchema` is a schema object, written before the handler.
    if (tool.description) edits.replaceNode(tool.description, description);
    const execute = propertyNamed(tool.config, 'execute')!;
    const added = [...(tool.description ? [] : [`description: ${description}`]), `outputSchema: z.object(${`{ ${names.idParam}: z.string() }`})`];
    edits.insert(execute.getStart(), added.map((p) => `${p},\n${indentOf(execute)}`).join(''));
    return;
  }
  if (tool.method === 'registerTool' && tool.config) {
    if (tool.description) edits.replaceNode(tool.description, description);
    const added = [...(tool.description ? [] : [`description: ${description}`]), ...(structured ? [`outputSchema: ${outputSchema(style, names)}`] : [])];
    if (added.length > 0) addProperties(edits, tool.config, added);
    return;
  }
  if (!structured || !style.supports('register-tool')) {
    // tool(name, description?, …): the description is the second argument when it is a string.
    if (tool.description) edits.replaceNode(tool.description, description);
    else edits.insert(tool.call.getArguments()[0]!.getEnd(), `, ${description}`);
    return;
  }
  // tool(name, description?, schema?, annotations?, handler) → registerTool(name, { … }, handler)
  const callee = tool.call.getExpression();
  if (Node.isPropertyAccessExpression(callee)) edits.replaceNode(callee.getNameNode(), 'registerTool');
  const args = tool.call.getArguments();
  const middle = args.slice(1, -1);
  const properties = [
    `description: ${description}`,
    ...(tool.schema ? [`inputSchema: ${tool.schema.getText()}`] : []),
    `outputSchema: ${outputSchema(style, names)}`,
    ...(tool.annotations ? [`annotations: ${tool.annotations.getText()}`] : []),
  ];
  const nameArg = args[0]!;
  const multiline = nameArg.getStartLineNumber() !== tool.call.getStartLineNumber();
  const base = multiline ? indentOf(nameArg) : indentOf(tool.call);
  const inline = `{ ${properties.join(', ')} }`;
  const grown = lineAt(edits.text, tool.call.getStart()).length + inline.length - middle.reduce((n, a) => n + a.getText().length + 2, 0);
  const object =
    !multiline && grown <= MAX_LINE ? inline : `{\n${properties.map((p) => `${base}${style.unit}${p},\n`).join('')}${base}}`;
  if (middle.length > 0) edits.replace(middle[0]!.getStart(), middle[middle.length - 1]!.getEnd(), object);
  else edits.insert(nameArg.getEnd(), `, ${object}`);
}

/** The creator's description: what it did, then which tools take the handle, then its lifetime. */
function describedCreator(description: Expression | undefined, names: KindNames, users: readonly string[]): string {
  const added = `Returns ${withArticle(names.idParam)} for ${toolList(users)}. \${describeLifetime(${names.kindConst})}`;
  if (!description) return `\`${added}\``;
  if (Node.isTemplateExpression(description)) {
    const text = description.getText();
    return `${text.slice(0, -1)}${separator(text.slice(0, -1))}${added}\``;
  }
  const literal = Node.isStringLiteral(description) || Node.isNoSubstitutionTemplateLiteral(description) ? description.getLiteralText() : description.getText();
  const escaped = literal.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  return `\`${escaped}${separator(escaped)}${added}\``;
}

function separator(text: string): string {
  const trimmed = text.trimEnd();
  if (trimmed === '' || trimmed === '`') return '';
  return /[.!?]$/.test(trimmed) ? ' ' : '. ';
}

/**
 * Add the handle to a creator's result: a text item with the id as JSON (for clients that read only text) and
 * `structuredContent` matching the output schema (where the SDK release has structured output). Returns false
 * when the result is not an object literal.
 */
export function addHandleToResult(edits: TextEdits, result: Node, style: Style, names: KindNames, form: ToolForm = 'sdk'): boolean {
  const object = Node.isParenthesizedExpression(result) ? result.getExpression() : result;
  if (form === 'fastmcp' && (Node.isStringLiteral(object) || Node.isNoSubstitutionTemplateLiteral(object) || Node.isTemplateExpression(object))) {
    // FastMCP turns a returned string into one text item; with the handle it becomes a content result.
    edits.replaceNode(object, `{ content: [{ type: ${str(style, 'text')}, text: ${object.getText()} }, ${handleTextItem(style, names)}], ${structuredContent(names)} }`);
    return true;
  }
  if (!Node.isObjectLiteralExpression(object)) return false;
  if (isErrorResult(object)) return true;
  const content = propertyNamed(object, 'content');
  const array = content && Node.isPropertyAssignment(content) ? content.getInitializer() : undefined;
  if (!array || !Node.isArrayLiteralExpression(array)) return false;
  const item = handleTextItem(style, names);
  const elements = array.getElements();
  const last = elements[elements.length - 1];
  if (!last) edits.replace(array.getStart() + 1, array.getEnd() - 1, item);
  else if (isSingleLine(array)) edits.insert(last.getEnd(), `, ${item}`);
  else edits.insert(last.getEnd(), `,\n${indentOf(last)}${item}`);
  if (style.supports('structured-output')) addProperties(edits, object, [structuredContent(names)], false, isSingleLine(array) ? item.length + 2 : 0);
  return true;
}

function isErrorResult(object: ObjectLiteralExpression): boolean {
  const flag = propertyNamed(object, 'isError');
  return flag !== undefined && Node.isPropertyAssignment(flag) && flag.getInitializer()?.getText() === 'true';
}
