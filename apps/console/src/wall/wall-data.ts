import { aqiBand, SEVERITIES } from '@haidang/domain';
import type { AlertView, FeatureCollection, MapDeviceProps, PointGeometry } from '../api/types.ts';

export const WALL_PANELS = ['map', 'alerts', 'water', 'air'] as const;
export type WallPanel = (typeof WALL_PANELS)[number];

/** Seconds each panel stays on the wall, from `?interval=` (5–600 s; default 20). */
export function wallInterval(search: string): number {
  const n = Number(new URLSearchParams(search).get('interval'));
  return Number.isFinite(n) && n >= 5 && n <= 600 ? n : 20;
}

/** The next panel (wrapping), or the previous one with step −1. */
export const nextPanel = (p: WallPanel, step: 1 | -1 = 1): WallPanel => WALL_PANELS[(WALL_PANELS.indexOf(p) + step + WALL_PANELS.length) % WALL_PANELS.length]!;

/** Active alerts for the wall: the most severe first, then the most recent. */
export function wallAlerts(alerts: readonly AlertView[], max = 12): AlertView[] {
  return [...alerts].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || b.lastTs.localeCompare(a.lastTs)).slice(0, max);
}

type Devices = FeatureCollection<PointGeometry, MapDeviceProps>;

export interface Ranked {
  id: string;
  name: string;
  value: number;
  unit: string;
  ts: string;
}

/** Devices of a type ranked by one value, highest first (those without the value left out). */
export function ranked(devices: Devices, type: string, attr: string, max = 10): Ranked[] {
  return devices.features
    .filter((f) => f.properties.type === type && f.properties.values[attr])
    .map((f) => ({ id: f.properties.id, name: f.properties.name, value: f.properties.values[attr]!.value, unit: f.properties.values[attr]!.unit, ts: f.properties.values[attr]!.ts }))
    .sort((a, b) => b.value - a.value || a.id.localeCompare(b.id))
    .slice(0, max);
}

/** Air-quality stations with their VN_AQI and band colour, worst first. */
export function airBoard(devices: Devices): (Ranked & { colour: string; textColour: string; band: { vi: string; en: string } | undefined })[] {
  return ranked(devices, 'air_quality', 'aqi', 60).map((r) => {
    const b = aqiBand(r.value);
    return { ...r, colour: b?.colour.hex ?? '#888', textColour: b && b.level >= 4 ? '#fff' : '#111', band: b?.name };
  });
}
