/**
 * Code the handle transforms write from scratch: kind declarations, creator and destroy tools, and the
 * store calls inside handlers. Everything here is text in the project's own style (indent unit, quotes);
 * the calls match the exports of the rendered handle-store module (defineHandleKind, handles, principalOf,
 * describeLifetime, describeHandleParam).
 */
import type { SdkLine } from '../../src/rules/sdk.js';
import type { SdkFeature } from '../../src/rules/sdk-features.js';
import type { KindNames } from './naming.js';

/** The handle-store exports generated code uses. */
export type StoreExport = 'defineHandleKind' | 'handles' | 'principalOf' | 'describeLifetime' | 'describeHandleParam';

/** Style of the file code is written into. */
export interface Style {
  /** One indentation level. */
  unit: string;
  quote: string;
  sdk: SdkLine | undefined;
  /** TypeScript (type arguments allowed). */
  typed: boolean;
  /** Whether the SDK release the project pins has a feature (registerTool, structured output). */
  supports(feature: SdkFeature): boolean;
}

export function str(style: Style, text: string): string {
  return `${style.quote}${text.replace(/\\/g, '\\\\').split(style.quote).join(`\\${style.quote}`)}${style.quote}`;
}

/** `a cart`, `an active project`. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** `30 * 60` for whole minutes, else the number of seconds. */
export function ttlText(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} * 60 * 60`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} * 60`;
  return String(seconds);
}

export interface KindSpec {
  names: KindNames;
  /** The value type (TypeScript only). */
  valueType: string | undefined;
  ttlSeconds: number;
  serializable: boolean;
  /** `(db) => db.close()`: releases a value on destroy and expiry. */
  dispose: string | undefined;
  exported: boolean;
}

/** `const connections = defineHandleKind<Database>({ … });` */
export function kindDeclaration(style: Style, spec: KindSpec, indent = ''): string {
  const { names } = spec;
  const inner = indent + style.unit;
  const lines = [
    `name: ${str(style, names.kindName)},`,
    ...(names.noun !== names.kindName ? [`noun: ${str(style, names.noun)},`] : []),
    `idParam: ${str(style, names.idParam)},`,
    `creator: ${str(style, names.creator)},`,
    `ttlSeconds: ${ttlText(spec.ttlSeconds)},`,
    `serializable: ${spec.serializable},`,
    ...(spec.dispose ? [`dispose: ${spec.dispose},`] : []),
  ];
  const typeArgs = style.typed && spec.valueType ? `<${spec.valueType}>` : '';
  return `${spec.exported ? 'export ' : ''}const ${names.kindConst} = defineHandleKind${typeArgs}({\n${lines.map((l) => `${inner}${l}\n`).join('')}${indent}});`;
}

/** `principalOf(extra)` */
export function principal(context: string): string {
  return `principalOf(${context})`;
}

/** The schema of an id parameter, with the description saying where the id comes from. */
export function idSchema(names: KindNames): string {
  return `z.string().describe(describeHandleParam(${names.kindConst}))`;
}

/** `cart_id: z.string()` as an output schema on either SDK line. */
export function outputSchema(style: Style, names: KindNames): string {
  const shape = `{ ${names.idParam}: z.string() }`;
  return style.sdk === 'v2' ? `z.object(${shape})` : shape;
}

/** An input schema holding just the id parameter. */
export function idInputSchema(style: Style, names: KindNames): string {
  const shape = `{ ${names.idParam}: ${idSchema(names)} }`;
  return style.sdk === 'v2' ? `z.object(${shape})` : shape;
}

/** A sentence listing the tools a handle is for: "add_to_cart, view_cart and checkout". */
export function toolList(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The content item carrying the handle for the model, and the structured result. */
export function handleTextItem(style: Style, names: KindNames): string {
  return `{ type: ${str(style, 'text')}, text: JSON.stringify({ ${names.idParam} }) }`;
}

export function structuredContent(names: KindNames): string {
  return `structuredContent: { ${names.idParam} }`;
}

/**
 * `server.registerTool(name, { description, inputSchema?, outputSchema? }, handler)`, or on an SDK release
 * without registerTool, `server.tool(name, description, inputSchema?, handler)`: both register the same tool.
 */
export function toolRegistration(style: Style, spec: { receiver: string; name: string; description: string; input?: string; output?: string; handler: string[]; indent: string }): string {
  const i1 = spec.indent + style.unit;
  const i2 = i1 + style.unit;
  const head = style.supports('register-tool')
    ? [
        `${i1}{`,
        `${i2}description: ${spec.description},`,
        ...(spec.input ? [`${i2}inputSchema: ${spec.input},`] : []),
        ...(spec.output ? [`${i2}outputSchema: ${spec.output},`] : []),
        `${i1}},`,
      ]
    : [`${i1}${spec.description},`, ...(spec.input ? [`${i1}${spec.input},`] : [])];
  const method = style.supports('register-tool') ? 'registerTool' : 'tool';
  return [`${spec.receiver}.${method}(`, `${i1}${str(style, spec.name)},`, ...head, ...spec.handler, `${spec.indent});`].join('\n');
}

/**
 * How a generated tool without arguments takes its request context: `(extra)` where the SDK release types that
 * callback; on registerTool releases before it (see 'no-input-tool-callback') the tool declares an empty input
 * schema and takes `(_args, extra)`, which every release types and calls alike.
 */
export function noArgumentsForm(style: Style, context: string): { input?: string; params: string } {
  if (style.sdk === 'v2' || !style.supports('register-tool') || style.supports('no-input-tool-callback')) return { params: context };
  return { input: '{}', params: `_args, ${context}` };
}

/** Which registration form generated tools take: the SDK's, or FastMCP's `addTool({ … })`. */
export type ToolForm = 'sdk' | 'fastmcp';

/**
 * `server.addTool({ name, description, parameters?, outputSchema?, execute })` (FastMCP), with `execute` taking
 * `(args, context)`; `body` is the statements of the handler.
 */
export function fastmcpToolRegistration(
  style: Style,
  spec: { receiver: string; name: string; description: string; input?: string; output?: string; params: string; body: string[]; indent: string },
): string {
  const i1 = spec.indent + style.unit;
  const i2 = i1 + style.unit;
  return [
    `${spec.receiver}.addTool({`,
    `${i1}name: ${str(style, spec.name)},`,
    `${i1}description: ${spec.description},`,
    ...(spec.input ? [`${i1}parameters: ${spec.input},`] : []),
    ...(spec.output ? [`${i1}outputSchema: ${spec.output},`] : []),
    `${i1}execute: async (${spec.params}) => {`,
    ...spec.body.map((line) => `${i2}${line}`),
    `${i1}},`,
    `${spec.indent}});`,
  ].join('\n');
}

/** What a creator returns: the id as text, and as structured content where the SDK release has it. */
export function handleResult(style: Style, names: KindNames): string {
  const structured = style.supports('structured-output') ? `, ${structuredContent(names)}` : '';
  return `{ content: [${handleTextItem(style, names)}]${structured} }`;
}

/** A generated creator tool for state that used to be created lazily: it mints a handle to `initial`. */
export function creatorTool(
  style: Style,
  spec: { receiver: string; names: KindNames; initial: string; users: readonly string[]; indent: string; form?: ToolForm },
): string {
  const { names, indent } = spec;
  const i1 = indent + style.unit;
  const i2 = i1 + style.unit;
  const description = `\`Create ${withArticle(names.noun)} and return its ${names.idParam}, for ${toolList(spec.users)}. \${describeLifetime(${names.kindConst})}\``;
  if (spec.form === 'fastmcp') {
    return fastmcpToolRegistration(style, {
      receiver: spec.receiver,
      name: names.creator,
      description,
      output: `z.object({ ${names.idParam}: z.string() })`,
      params: '_args, context',
      body: [
        `const ${names.idParam} = await handles.mint(${names.kindConst}, ${spec.initial}, ${principal('context')});`,
        `return { content: [${handleTextItem(style, names)}], ${structuredContent(names)} };`,
      ],
      indent,
    });
  }
  const context = style.sdk === 'v2' ? 'ctx' : 'extra';
  const form = noArgumentsForm(style, context);
  return toolRegistration(style, {
    receiver: spec.receiver,
    name: names.creator,
    description,
    ...(form.input ? { input: form.input } : {}),
    ...(style.supports('structured-output') ? { output: outputSchema(style, names) } : {}),
    handler: [
      `${i1}async (${form.params}) => {`,
      `${i2}const ${names.idParam} = await handles.mint(${names.kindConst}, ${spec.initial}, ${principal(context)});`,
      `${i2}return ${handleResult(style, names)};`,
      `${i1}},`,
    ],
    indent,
  });
}

/** A generated destroy tool, for state the old code released when the session or connection ended. */
export function destroyTool(style: Style, spec: { receiver: string; names: KindNames; indent: string; form?: ToolForm }): string {
  const { names, indent } = spec;
  const i1 = indent + style.unit;
  const i2 = i1 + style.unit;
  const done = `\`Destroyed ${names.noun} \${${names.idParam}}\``;
  if (spec.form === 'fastmcp') {
    return fastmcpToolRegistration(style, {
      receiver: spec.receiver,
      name: names.destroy,
      description: str(style, `Discard a ${names.noun}; its ${names.idParam} stops working.`),
      input: `z.object({ ${names.idParam}: ${idSchema(names)} })`,
      params: `{ ${names.idParam} }, context`,
      body: [`await handles.destroy(${names.kindConst}, ${names.idParam}, ${principal('context')});`, `return ${done};`],
      indent,
    });
  }
  const context = style.sdk === 'v2' ? 'ctx' : 'extra';
  return toolRegistration(style, {
    receiver: spec.receiver,
    name: names.destroy,
    description: str(style, `Discard a ${names.noun}; its ${names.idParam} stops working.`),
    input: idInputSchema(style, names),
    handler: [
      `${i1}async ({ ${names.idParam} }, ${context}) => {`,
      `${i2}await handles.destroy(${names.kindConst}, ${names.idParam}, ${principal(context)});`,
      `${i2}return { content: [{ type: ${str(style, 'text')}, text: ${done} }] };`,
      `${i1}},`,
    ],
    indent,
  });
}

/** Store calls used inside rewritten handlers. */
export const call = {
  resolve: (names: KindNames, id: string, context: string) => `await handles.resolve(${names.kindConst}, ${id}, ${principal(context)})`,
  update: (names: KindNames, id: string, context: string, value: string) =>
    `await handles.update(${names.kindConst}, ${id}, ${principal(context)}, () => ${value.trimStart().startsWith('{') ? `(${value})` : value})`,
  destroy: (names: KindNames, id: string, context: string) => `await handles.destroy(${names.kindConst}, ${id}, ${principal(context)})`,
  mint: (names: KindNames, value: string, context: string) => `await handles.mint(${names.kindConst}, ${value}, ${principal(context)})`,
};
