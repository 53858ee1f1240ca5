import type { DeviceInput } from '@haidang/domain';

/** What the simulator needs of a device: the demo file's entries or registered devices. */
export type DeviceLike = Pick<DeviceInput, 'id' | 'type' | 'apikey'> &
  Partial<Pick<DeviceInput, 'name' | 'location' | 'unitCode' | 'attributes' | 'accessToken'>>;

export type ScenarioName = 'normal' | 'storm';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['normal', 'storm'];

/** A simulated instant as the models see it. */
export interface SimInstant {
  /** Simulated time, ms since the epoch (UTC). */
  ts: number;
  /** Simulated seconds since the scenario started (negative before it). */
  elapsedS: number;
  /** Run seed, mixed into all noise. */
  seed: number;
}

/** Where rain falls: a location and a key for the place's own noise. */
export interface RainPlace {
  lat: number;
  lon: number;
  key: number;
}

/** How a river station answers a flood: metres of rise and timing in hours after storm start. */
export interface FloodWave {
  riseM: number;
  startH: number;
  peakH: number;
  /** e-folding time of the recession after the peak. */
  recessionH: number;
}

/** A device the scenario silences for a while (sim seconds since start, end exclusive). */
export interface Outage {
  deviceId: string;
  fromS: number;
  toS: number;
}

/** The weather and events of a scripted day, as functions of simulated time. */
export interface Scenario {
  readonly name: ScenarioName;
  /** Rain intensity in mm/h at a place. */
  rainMmH(at: SimInstant, place: RainPlace): number;
  /** Storm severity 0…1 city-wide: slows traffic, washes out dust, fills sewers. */
  severity(at: SimInstant): number;
  /** Share 0…1 of a station's flood wave reached at this instant. */
  floodWave(at: SimInstant, wave: FloodWave): number;
  /** Devices knocked out by the scenario (e.g. a flooded sensor losing power). */
  outages(devices: readonly DeviceLike[]): Outage[];
}

/** A simulated instant plus the scenario in force: everything a model reads. */
export interface SimContext extends SimInstant {
  scenario: Scenario;
}
