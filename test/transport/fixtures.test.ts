import { describe, expect, it } from 'vitest';
import { describeTransformFixtures, typecheckFixtureOutputs, TYPECHECK_TIMEOUT } from '../helpers/fixtures.js';
import { getTransform } from '../../transforms/index.js';
import { statelessTransport } from '../../transforms/stateless-transport.js';

// Until the registry lists the transform, run the module directly; afterwards, the registered one.
describeTransformFixtures('stateless-transport', getTransform('stateless-transport') ?? statelessTransport);

describe('stateless-transport outputs', () => {
  it('type-check against the real SDK packages', () => {
    expect(typecheckFixtureOutputs('stateless-transport')).toEqual([]);
  }, TYPECHECK_TIMEOUT);
});
