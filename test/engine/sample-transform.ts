import { Node, SyntaxKind } from 'ts-morph';
import type { Transform } from '../../src/engine/transform.js';

/**
 * A small transform used to exercise the engine without depending on the product transforms:
 * it sets `sessionIdGenerator` to `undefined` and marks `onsessioninitialized` hooks for review.
 * A file containing THROW_IN_TRANSFORM makes it throw half-way, to test per-file rollback.
 */
export const sampleTransform: Transform = {
  id: 'sample-generator',
  title: 'Sample',
  description: 'Engine test transform',
  rules: ['SL001'],
  patterns: ['P10'],
  vocabulary: /sessionIdGenerator/,
  options: [{ name: 'mode', description: 'test option', default: 'plain', choices: ['plain', 'loud'] }],
  apply(ctx) {
    for (const property of ctx.file.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
      if (property.getName() === 'sessionIdGenerator' && property.getInitializer()?.getText() !== 'undefined') {
        property.setInitializer('undefined');
        if (ctx.file.getFullText().includes('THROW_IN_TRANSFORM')) throw new Error('boom');
      }
    }
    for (const property of ctx.file.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
      if (property.getName() === 'onsessioninitialized' && Node.isPropertyAssignment(property)) {
        ctx.addMarker(property, 'SL001', `remove the session hook${ctx.options.mode === 'loud' ? '!' : ''}`);
      }
    }
  },
};
