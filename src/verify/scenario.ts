import { readFile } from 'node:fs/promises';
import { VerifyError } from './errors.js';

/**
 * A scenario file opts verify into calls it would not make on its own:
 *   { "calls": [{ "tool": "add_to_cart", "arguments": { "sku": "mug-01" } }, { "tool": "checkout" }] }
 * The calls run in order after the exploration; required parameters they leave out are filled like any
 * other call's (handles minted so far first). Naming a tool here also lets the handle checks use it.
 */
export interface Scenario {
  calls: ScenarioCall[];
}

export interface ScenarioCall {
  tool: string;
  arguments?: Record<string, unknown>;
}

export async function readScenario(file: string): Promise<Scenario> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new VerifyError(`cannot read the scenario ${file}: ${(error as Error).message}`);
  }
  const calls = (parsed as { calls?: unknown }).calls;
  if (!Array.isArray(calls) || !calls.every((call) => typeof (call as ScenarioCall)?.tool === 'string')) {
    throw new VerifyError(`${file}: a scenario is { "calls": [{ "tool": "<name>", "arguments": { … } }] }`);
  }
  return { calls: calls as ScenarioCall[] };
}
