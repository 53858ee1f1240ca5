import { aqiBand } from '@haidang/domain';
import type { DeviceState, MapDeviceProps } from '../api/types.ts';
import type { MessageKey } from '../i18n/messages.ts';

export type ColourBy = 'state' | 'value';

export const STATE_COLOURS: Record<DeviceState, string> = {
  ok: '#2e9d5b',
  warning: '#e8a317',
  alert: '#d7263d',
  offline: '#7d8791',
};

/** A value scale: the colour of the first step whose upper bound is above the value. */
interface Scale {
  attr: string;
  steps: readonly { below: number; colour: string; label: { vi: string; en: string } }[];
}

// Street flooding (cm): the depth classes used by the warnings (docs/derived-series.md, depth_class).
const FLOOD: Scale = {
  attr: 'depth',
  steps: [
    { below: 10, colour: '#9ecae1', label: { vi: 'Dưới 10 cm', en: 'Under 10 cm' } },
    { below: 30, colour: '#4292c6', label: { vi: '10–30 cm', en: '10–30 cm' } },
    { below: 50, colour: '#2171b5', label: { vi: '30–50 cm', en: '30–50 cm' } },
    { below: Infinity, colour: '#08306b', label: { vi: 'Từ 50 cm', en: '50 cm and more' } },
  ],
};
// Rain over the last hour (mm), KTTV's hourly intensities (light < 2.5, moderate < 8, heavy ≥ 8… very heavy ≥ 50 over 3 h is the 3 h rule).
const RAIN: Scale = {
  attr: 'rain_1h',
  steps: [
    { below: 0.1, colour: '#e5f5e0', label: { vi: 'Không mưa', en: 'No rain' } },
    { below: 2.5, colour: '#a1d99b', label: { vi: 'Mưa nhỏ', en: 'Light rain' } },
    { below: 8, colour: '#41ab5d', label: { vi: 'Mưa vừa', en: 'Moderate rain' } },
    { below: 16, colour: '#6a51a3', label: { vi: 'Mưa to', en: 'Heavy rain' } },
    { below: Infinity, colour: '#3f007d', label: { vi: 'Mưa rất to', en: 'Very heavy rain' } },
  ],
};
// Traffic speed (km/h): free flow to jam.
const TRAFFIC: Scale = {
  attr: 'speed',
  steps: [
    { below: 10, colour: '#b30000', label: { vi: 'Ùn tắc (< 10 km/h)', en: 'Jam (< 10 km/h)' } },
    { below: 20, colour: '#e34a33', label: { vi: 'Chậm (10–20 km/h)', en: 'Slow (10–20 km/h)' } },
    { below: 35, colour: '#fdbb84', label: { vi: 'Đông (20–35 km/h)', en: 'Busy (20–35 km/h)' } },
    { below: Infinity, colour: '#31a354', label: { vi: 'Thông thoáng', en: 'Free flow' } },
  ],
};
// River stations: flood alarm level BĐ0–3 (QĐ 05/2020/QĐ-TTg levels, per station).
const RIVER: Scale = {
  attr: 'alarm_level',
  steps: [
    { below: 1, colour: '#31a354', label: { vi: 'Dưới BĐ1', en: 'Below alarm 1' } },
    { below: 2, colour: '#fed976', label: { vi: 'BĐ1', en: 'Alarm 1' } },
    { below: 3, colour: '#fd8d3c', label: { vi: 'BĐ2', en: 'Alarm 2' } },
    { below: Infinity, colour: '#e31a1c', label: { vi: 'BĐ3', en: 'Alarm 3' } },
  ],
};

const SCALES: Record<string, Scale> = { flood_depth: FLOOD, rain_gauge: RAIN, traffic: TRAFFIC, river_level: RIVER };

/** The colour of a device on the map: by state, or by its key value where one matters. */
export function deviceColour(d: Pick<MapDeviceProps, 'type' | 'state' | 'values'>, by: ColourBy): string {
  if (by === 'state' || d.state === 'offline') return STATE_COLOURS[d.state];
  if (d.type === 'air_quality') {
    const aqi = d.values.aqi?.value;
    return aqi === undefined ? STATE_COLOURS.offline : (aqiBand(aqi)?.colour.hex ?? STATE_COLOURS.offline);
  }
  const scale = SCALES[d.type];
  const v = scale ? d.values[scale.attr]?.value : undefined;
  if (!scale || v === undefined) return STATE_COLOURS[d.state];
  return (scale.steps.find((s) => v < s.below) ?? scale.steps.at(-1)!).colour;
}

/** Radius in pixels at zoom 12: alerts stand out; flooded streets grow with depth. */
export function deviceRadius(d: Pick<MapDeviceProps, 'type' | 'state' | 'values'>): number {
  const base = d.state === 'alert' ? 7 : d.state === 'warning' ? 6 : 4.5;
  const depth = d.type === 'flood_depth' ? (d.values.depth?.value ?? 0) : 0;
  return depth >= 10 ? Math.min(base + depth / 10, 14) : base;
}

export interface LegendEntry {
  colour: string;
  label: { vi: string; en: string } | MessageKey;
}

/** The legend of a colouring: state keys, or each scale's steps (AQI bands from the domain). */
export function legendOf(by: ColourBy): { title?: { vi: string; en: string }; entries: LegendEntry[] }[] {
  if (by === 'state') return [{ entries: (Object.keys(STATE_COLOURS) as DeviceState[]).map((s) => ({ colour: STATE_COLOURS[s], label: `state.${s}` as MessageKey })) }];
  const aqi = { title: { vi: 'VN_AQI', en: 'VN_AQI' }, entries: [0, 51, 101, 151, 201, 301].map((v) => ({ colour: aqiBand(v)!.colour.hex, label: aqiBand(v)!.name })) };
  const scale = (title: { vi: string; en: string }, s: Scale) => ({ title, entries: s.steps.map((x) => ({ colour: x.colour, label: x.label })) });
  return [
    aqi,
    scale({ vi: 'Ngập đường phố', en: 'Street flooding' }, FLOOD),
    scale({ vi: 'Mưa 1 giờ', en: 'Rain, 1 h' }, RAIN),
    scale({ vi: 'Mực nước sông', en: 'River level' }, RIVER),
    scale({ vi: 'Giao thông', en: 'Traffic' }, TRAFFIC),
  ];
}

/** [west, south, east, north] of any GeoJSON geometry's coordinates, or undefined when empty. */
export function bboxOf(geometries: Iterable<{ coordinates: unknown }>): [number, number, number, number] | undefined {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      w = Math.min(w, c[0]);
      e = Math.max(e, c[0]);
      s = Math.min(s, c[1]);
      n = Math.max(n, c[1]);
      return;
    }
    for (const x of c) visit(x);
  };
  for (const g of geometries) visit(g.coordinates);
  return Number.isFinite(w) ? [w, s, e, n] : undefined;
}
