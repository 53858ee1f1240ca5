import { normalScenario } from './normal.scenario.ts';
import { stormScenario } from './storm.scenario.ts';
import type { Scenario, ScenarioName } from './sim.types.ts';

const SCENARIOS: Record<ScenarioName, Scenario> = { normal: normalScenario, storm: stormScenario };

/** The scenario of that name. */
export function getScenario(name: ScenarioName): Scenario {
  return SCENARIOS[name];
}
