import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { processStateToHandlesTransform } from '../../transforms/process-state-to-handles.js';
import { sessionStateToHandlesTransform } from '../../transforms/session-state-to-handles.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

/**
 * Sites migrated automatically vs left to a person, over the fixture set, by pattern. Migrated sites are
 * reported as info diagnostics (one per piece of state), marked ones as todo diagnostics (one per marker).
 */
function tally(transform: typeof sessionStateToHandlesTransform) {
  const migrated: Record<string, number> = {};
  let marked = 0;
  for (const fixture of loadFixtureCases(transform.id)) {
    const { diagnostics } = transformFiles(fixture.input, { transforms: [transform], options: fixture.options ? { [transform.id]: fixture.options } : undefined });
    for (const d of diagnostics) {
      if (d.message.startsWith(TODO_MARKER)) marked++;
      else if (d.level === 'info' && d.pattern) migrated[d.pattern] = (migrated[d.pattern] ?? 0) + 1;
    }
  }
  return { migrated, marked };
}

describe('sites migrated vs marked on the fixture set', () => {
  it('session-state-to-handles', () => {
    expect(tally(sessionStateToHandlesTransform)).toEqual({ migrated: { P1: 16, P5: 2, P6: 5, P7: 3 }, marked: 7 });
  });
  it('process-state-to-handles', () => {
    expect(tally(processStateToHandlesTransform)).toEqual({ migrated: { P2: 8 }, marked: 3 });
  });
});
