import { describe, expect, it } from 'vitest';
import { describeTransformFixtures, typecheckFixtureOutputs, TYPECHECK_TIMEOUT } from '../helpers/fixtures.js';
import { sessionScopeTransform } from '../../transforms/session-scope.js';

describeTransformFixtures('session-scope', sessionScopeTransform);

describe('session-scope outputs type-check against the real SDKs', () => {
  it('every TypeScript output', () => expect(typecheckFixtureOutputs('session-scope')).toEqual([]), TYPECHECK_TIMEOUT);
});
