import { hashString, sensorNoise } from './noise.ts';
import type { DeviceLike, FloodWave, SimContext } from './sim.types.ts';

/** A river gauge's behaviour: normal level, tide, alarm levels and its answer to a flood. */
export interface RiverStation {
  key: string;
  lat: number;
  lon: number;
  /** Mean level in normal weather (m, station datum). */
  baseM: number;
  /** Tidal amplitude (m); the lower Hàn, Cẩm Lệ and Thu Bồn are tidal. */
  tideM: number;
  /** Flood alarm levels BĐ1, BĐ2, BĐ3 (m), where an official value exists. */
  alarms?: readonly [number, number, number];
  wave: FloodWave;
}

// Alarm levels: /work/shared/reference/warning-levels.md (QĐ 05/2020/QĐ-TTg, all [derived] from
// official bulletins): Cẩm Lệ 1.0/2.0/2.5, Ái Nghĩa 6.5/8.0/9.0, Câu Lâu 2.0/3.0/4.0. Base levels
// are typical pre-flood readings quoted in the same bulletins (Ái Nghĩa 3.86, Câu Lâu 1.26 before
// floods). Peaks are set just above BĐ3, as in the 10/2023 and 10/2025 floods. The Hàn, Cu Đê,
// Túy Loan and Yên gauges have no official alarm levels: their base and rise are plausible values
// on local datums, not measurements.
export const RIVER_STATIONS: readonly RiverStation[] = [
  { key: 'cam-le', lat: 16.0125, lon: 108.2035, baseM: 0.35, tideM: 0.3, alarms: [1.0, 2.0, 2.5], wave: { riseM: 2.8, startH: 3, peakH: 14, recessionH: 7 } },
  { key: 'ai-nghia', lat: 15.887, lon: 108.115, baseM: 2.9, tideM: 0, alarms: [6.5, 8.0, 9.0], wave: { riseM: 6.8, startH: 4, peakH: 16, recessionH: 10 } },
  { key: 'cau-lau', lat: 15.857, lon: 108.285, baseM: 0.8, tideM: 0.2, alarms: [2.0, 3.0, 4.0], wave: { riseM: 3.7, startH: 5, peakH: 19, recessionH: 12 } },
  { key: 'han-song-han', lat: 16.0722, lon: 108.2262, baseM: 0.3, tideM: 0.35, wave: { riseM: 1.2, startH: 3, peakH: 14, recessionH: 7 } },
  { key: 'han-thuan-phuoc', lat: 16.09, lon: 108.221, baseM: 0.25, tideM: 0.4, wave: { riseM: 0.9, startH: 3, peakH: 14, recessionH: 6 } },
  { key: 'cu-de-nam-o', lat: 16.1175, lon: 108.1265, baseM: 0.4, tideM: 0.3, wave: { riseM: 2.2, startH: 3, peakH: 12, recessionH: 6 } },
  { key: 'cu-de-hoa-bac', lat: 16.125, lon: 108.04, baseM: 3.2, tideM: 0, wave: { riseM: 4.2, startH: 1.5, peakH: 9, recessionH: 5 } },
  { key: 'tuy-loan', lat: 15.996, lon: 108.138, baseM: 1.8, tideM: 0.05, wave: { riseM: 3.4, startH: 2.5, peakH: 11, recessionH: 6 } },
  { key: 'yen-qua-giang', lat: 15.977, lon: 108.206, baseM: 0.6, tideM: 0.15, wave: { riseM: 2.6, startH: 3.5, peakH: 14, recessionH: 8 } },
];

const GENERIC_WAVE: FloodWave = { riseM: 1.5, startH: 3, peakH: 12, recessionH: 8 };
const MATCH_KM = 1.5;
const M2_TIDE_H = 12.42;

function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = (a.lat - b.lat) * 111.2;
  const dLon = (a.lon - b.lon) * 111.2 * Math.cos((a.lat * Math.PI) / 180);
  return Math.hypot(dLat, dLon);
}

/** The known station a device stands at (within 1.5 km), or a generic gauge for any other. */
export function riverStationOf(device: DeviceLike): RiverStation {
  const loc = device.location;
  if (loc) {
    const near = RIVER_STATIONS.find((s) => distanceKm(s, loc) <= MATCH_KM);
    if (near) return near;
  }
  return { key: `generic-${device.id}`, lat: loc?.lat ?? 0, lon: loc?.lon ?? 0, baseM: 1, tideM: 0, wave: GENERIC_WAVE };
}

/** Water level (m) at a station, without sensor noise. */
export function riverLevelM(station: RiverStation, ctx: SimContext): number {
  const phase = (hashString(station.key) % 1000) / 1000;
  const tide = station.tideM * Math.sin(2 * Math.PI * (ctx.ts / 3_600_000 / M2_TIDE_H + phase));
  // A big flood overwhelms the tide at tidal gauges: damp it as the flood wave rises.
  const share = ctx.scenario.floodWave(ctx, station.wave);
  return station.baseM + tide * (1 - 0.7 * share) + station.wave.riseM * share;
}

/** A river gauge reports the level, with ±1 cm of sensor noise. */
export function riverGaugeValues(device: DeviceLike, ctx: SimContext): Record<string, number> {
  const station = riverStationOf(device);
  const noise = 0.01 * sensorNoise(hashString(device.id) ^ ctx.seed, ctx.ts / 1000);
  return { level: riverLevelM(station, ctx) + noise };
}
