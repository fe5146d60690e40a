import { describe, expect, it } from 'vitest';
import { staticListsTransform } from '../../transforms/static-lists.js';
import { describeTransformFixtures, typecheckFixtureOutputs } from '../helpers/fixtures.js';

describeTransformFixtures('static-lists', staticListsTransform);

describe('static-lists outputs', () => {
  it('type-check against the real SDKs', () => {
    expect(typecheckFixtureOutputs('static-lists')).toEqual([]);
  });
});
