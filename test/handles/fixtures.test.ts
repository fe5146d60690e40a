import { describe, expect, it } from 'vitest';
import { describeTransformFixtures, typecheckFixtureOutputs, TYPECHECK_TIMEOUT } from '../helpers/fixtures.js';
import { processStateToHandlesTransform } from '../../transforms/process-state-to-handles.js';
import { sessionStateToHandlesTransform } from '../../transforms/session-state-to-handles.js';

describeTransformFixtures('session-state-to-handles', sessionStateToHandlesTransform);
describeTransformFixtures('process-state-to-handles', processStateToHandlesTransform);

describe('handle transform outputs type-check against the real SDKs', () => {
  it('session-state-to-handles', () => expect(typecheckFixtureOutputs('session-state-to-handles')).toEqual([]), TYPECHECK_TIMEOUT);
  it('process-state-to-handles', () => expect(typecheckFixtureOutputs('process-state-to-handles')).toEqual([]), TYPECHECK_TIMEOUT);
});
