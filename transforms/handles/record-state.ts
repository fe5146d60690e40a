import type { ServerModel, StateVariable } from '../../src/analysis/index.js';
import { Undecided, type SiteResult } from './site.js';
import type { PlanContext } from './value-state.js';

export function recordGroups(_model: ServerModel): StateVariable[][] {
  return [];
}

export function planRecordState(states: StateVariable[], _plan: PlanContext): SiteResult {
  throw new Undecided(states[0]!.declaration, 'not yet');
}
