import { describe, expect, it } from 'vitest';
import { perRequestContextTransform } from '../../transforms/per-request-context.js';
import { describeTransformFixtures, typecheckFixtureOutputs } from '../helpers/fixtures.js';

describeTransformFixtures('per-request-context', perRequestContextTransform);

describe('per-request-context outputs', () => {
  it('type-check against the real SDKs', () => {
    expect(typecheckFixtureOutputs('per-request-context')).toEqual([]);
  });
});
