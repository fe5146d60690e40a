import { describe, expect, it } from 'vitest';
import { describeTransformFixtures, typecheckFixtureOutputs } from './helpers/fixtures.js';

describeTransformFixtures('mark-leftovers');

describe('mark-leftovers outputs', () => {
  it('type-check against the real SDKs', () => {
    expect(typecheckFixtureOutputs('mark-leftovers')).toEqual([]);
  });
});
