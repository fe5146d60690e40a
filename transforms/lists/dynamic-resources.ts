import { Node, SyntaxKind } from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import { RESOURCE_TEMPLATE_MODULE } from '../../src/rules/lists-sdk.js';
import { capturedFrom, declarationOf, enclosingFunction, importedFrom, methodCall, quote, rootIdentifier, statementOf, stringValue } from './ast.js';
import { appendMember, indentAt, indentUnit, insertAfter, insertAtBodyStart, reindent, removeStatements, spliceText, type Splice } from './edit.js';
import { listChangedStatements, standaloneStatement } from './gates.js';
import { enclosingSite, toolReaching } from './handlers.js';
import { contentAfter, linkItem, linkWanted, propertyText, sharedCollectionMarker, type ResourceScan } from './resource-links.js';
import type { DeferredMarker, Edit, Findings, Mark } from './steps.js';
import { nodesOfKind } from '../shared/file-index.js';

/** `server.registerResource(title, \`note://${title}\`, …)` inside a tool: a template registered up front. */
function dynamicResourceEdit(scan: ResourceScan, index: number): Findings {
  const { file, sites, sdk } = scan;
  const registration = scan.registrations[index]!;
  const receiverRoot = rootIdentifier(registration.receiver);
  const receiverDeclaration = receiverRoot && declarationOf(receiverRoot);
  if (!receiverDeclaration || enclosingFunction(registration.call) === enclosingFunction(receiverDeclaration) || registration.template) {
    return { edits: [], marks: [] };
  }
  const by = toolReaching(registration.call, sites);
  // A start-up helper (`registerResources(server)` called while a server is built) runs once per server: only a
  // registration a handler reaches is registered while serving a call.
  if (!by && !enclosingSite(registration.call, sites)) return { edits: [], marks: [] };
  const mark = (why: string): Findings => ({ edits: [], marks: [{ node: registration.call, rule: 'SL004', message: MARKERS.dynamicResource(by, why) }] });
  const statement = standaloneStatement(registration.call);
  const args = registration.call.getArguments();
  const [nameArg, uri, config, callback] = args.length === 4 ? args : [args[0], args[1], undefined, args[2]];
  if (!statement || statement.getExpression() !== registration.call || !nameArg || !uri || !callback) return mark('not a plain statement');
  if (!Node.isTemplateExpression(uri)) return mark('its URI is not built from the call');
  if (!(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return mark('its read callback is not written inline');

  let outer = enclosingFunction(registration.call)!;
  const startupScope = enclosingFunction(receiverDeclaration);
  for (let next = enclosingFunction(outer); next && next !== startupScope; next = enclosingFunction(next)) outer = next;
  const anchor = statementOf(outer);
  const variables: string[] = [];
  let uriTemplate = uri.getHead().getLiteralText();
  for (const span of uri.getTemplateSpans()) {
    const expression = span.getExpression();
    if (!Node.isIdentifier(expression)) return mark('its URI uses more than plain values');
    variables.push(expression.getText());
    uriTemplate += `{${expression.getText()}}${span.getLiteral().getLiteralText()}`;
  }
  const captured = new Set(capturedFrom(callback, outer).map((id) => id.getText()));
  const foreign = [...captured].filter((name) => !variables.includes(name));
  if (foreign.length > 0) return mark(`its contents come from ${foreign.join(', ')} of that call`);
  if (config && capturedFrom(config, outer).length > 0) return mark('its metadata comes from that call');
  // Unknown ids must still fail: the template checks the collection the tool adds to.
  const fn = enclosingFunction(registration.call)!;
  const store = fn
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .map((call) => ({ call, parts: methodCall(call) }))
    .find(({ call, parts }) => parts?.method === 'set' && variables.includes(call.getArguments()[0]?.getText() ?? ''));
  if (!store || !anchor) return mark('nothing says which ids exist');
  const collection = store.parts!.receiver.getText();
  const keyVariable = store.call.getArguments()[0]!.getText();

  // The new read callback: (uri, variables, ...rest) with the call's values read from the URI.
  const params = callback.getParameters();
  const uriParam = params[0]?.getName() ?? 'uri';
  const rest = params.slice(1).map((p) => p.getText());
  const unit = indentUnit(file);
  const reads = variables
    .filter((name) => captured.has(name) || name === keyVariable)
    .map((name) => `const ${name} = String(variables.${name});`);
  const guard = `if (!${collection}.has(${keyVariable})) {\n${unit}throw new Error(\`Unknown resource \${${uriParam}.href}: call ${by ?? 'the tool that creates it'} first.\`);\n}`;
  const bodySplice = insertAtBodyStart(file, callback, [...reads, guard].join('\n'));
  const paramsText = [params[0]?.getText() ?? 'uri', 'variables', ...rest].join(', ');
  const openParen = callback.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken);
  const closeParen = callback.getFirstChildByKindOrThrow(SyntaxKind.CloseParenToken);
  const newCallback = spliceText(callback.getText(), callback.getStart(), [
    { start: openParen.getEnd(), end: closeParen.getStart(), text: paramsText },
    bodySplice,
  ]);
  const baseIndent = indentAt(file, statement.getStart());
  const templateName = stringValue(nameArg) ?? uriTemplate.split(':')[0]!;
  const templateExpression = `new ResourceTemplate(${quote(file, uriTemplate)}, { list: undefined })`;
  const registrationText = `${registration.receiver.getText()}.registerResource(${quote(file, templateName)}, ${templateExpression}, ${config ? reindent(config.getText(), baseIndent, '') : '{}'}, ${reindent(newCallback, baseIndent, '')});`;

  const splices: Splice[] = [insertAfter(file, anchor, registrationText), ...removeStatements(file, [statement, ...listChangedStatements([fn], 'resource')])];
  const content = contentAfter(statement, fn);
  const mimeType = config && Node.isObjectLiteralExpression(config) ? propertyText(config, 'mimeType') : undefined;
  const link: Array<[string, string]> = [['uri', uri.getText()], ['name', nameArg.getText()]];
  if (mimeType) link.push(['mimeType', mimeType.getText()]);
  const markers: DeferredMarker[] = [];
  if (content) splices.push(appendMember(file, content, linkItem(scan, link)));
  else {
    const text = store.call.getText();
    markers.push({ rule: 'SL004', message: `${by ?? 'this call'} creates ${uriTemplate}: return ${linkWanted(scan)} in its content`, locate: (f) => nodesOfKind(f, SyntaxKind.CallExpression).find((c) => c.getText() === text) });
  }
  const storeRoot = rootIdentifier(store.parts!.receiver);
  markers.push(...sharedCollectionMarker(storeRoot && declarationOf(storeRoot), uriTemplate));
  const module = importedFrom(file, 'McpServer') ?? RESOURCE_TEMPLATE_MODULE[sdk];
  return { edits: [{ what: `template for ${uriTemplate}`, splices, imports: [{ module, name: 'ResourceTemplate' }], markers }], marks: [] };
}

/** Resources registered while serving a call (P8): a template registered up front instead. */
export function analyseDynamicResources(scan: ResourceScan): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  scan.registrations.forEach((registration, index) => {
    if (registration.kind !== 'resource') return;
    const found = dynamicResourceEdit(scan, index);
    edits.push(...found.edits);
    marks.push(...found.marks);
  });
  return { edits, marks };
}
