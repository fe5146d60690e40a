import { Node } from 'ts-morph';
import { TRANSPORT_OPTIONS } from '../../src/rules/transport-symbols.js';
import type { Construction } from './plumbing.js';

/** Where a transport's options object sits among its constructor arguments. */
function optionsArgument(construction: Construction): Node | undefined {
  return construction.node.getArguments()[construction.cls.kind === 'sse' ? 2 : 0];
}

/**
 * The options the stateless entry keeps, as `name: value` texts: v1 keeps the transport's non-session
 * options on the per-request transport; v2 maps them to `createMcpHandler` options. A string is the
 * reason the options cannot be carried over (opaque options object, no v2 equivalent, conflicting values).
 */
export function transportOptions(constructions: readonly Construction[], target: 'v1' | 'v2'): string[] | string {
  const out = new Map<string, string>();
  for (const construction of constructions) {
    const argument = optionsArgument(construction);
    if (!argument) continue;
    if (!Node.isObjectLiteralExpression(argument)) return 'the transport options are not written inline';
    for (const property of argument.getProperties()) {
      // v1 keeps a spread of other options as written (the entry puts it before sessionIdGenerator: undefined).
      if (Node.isSpreadAssignment(property) && target === 'v1') {
        // Keyed without whitespace: the same spread written at two depths (two transports) is one option.
        const key = property.getText().replace(/\s+/g, '');
        if (!out.has(key)) out.set(key, property.getText());
        continue;
      }
      if (!Node.isPropertyAssignment(property) && !Node.isShorthandPropertyAssignment(property)) return 'the transport options use spreads or methods';
      const name = property.getName();
      const value = Node.isPropertyAssignment(property) ? (property.getInitializer()?.getText() ?? name) : name;
      const policy = TRANSPORT_OPTIONS[name] ?? { v1: 'keep', v2: 'block' };
      let text: string;
      if (target === 'v1') {
        if (policy.v1 === 'session') continue;
        text = property.getText();
      } else {
        if (policy.v2 === 'session') continue;
        if (policy.v2 === 'block') return `the transport option \`${name}\` has no createMcpHandler equivalent (host and origin checks belong in middleware)`;
        const mapped = policy.v2.values ? policy.v2.values[value] : value;
        if (mapped === undefined) return `the transport option \`${name}: ${value}\` cannot be mapped`;
        text = `${policy.v2.option}: ${mapped}`;
      }
      const key = text.split(':')[0]?.trim() ?? text;
      if (out.has(key) && out.get(key) !== text) return `the transports disagree on \`${key}\``;
      out.set(key, text);
    }
  }
  return [...out.values()];
}
