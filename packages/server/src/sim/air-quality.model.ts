import { localHour } from './local-time.ts';
import { deviceFactor, hashString, sensorNoise } from './noise.ts';
import { rainIntensityMmH, rainPlaceOf } from './rain.model.ts';
import type { DeviceLike, SimContext } from './sim.types.ts';
import { trafficDemand } from './traffic.model.ts';

// Đà Nẵng's air is mostly clean (VN_AQI good to moderate): a sea-breeze background plus what
// traffic and industry add. Traffic pollutants (PM, NO2, CO) follow the traffic curve; SO2 comes
// from industry; O3 is photochemical and peaks early afternoon. Rain washes particles out.

/** Sunlight-driven ozone formation 0…1, peaking about 13:30 local. */
export function ozoneSun(hour: number): number {
  return Math.exp(-(((hour - 13.5) / 2.6) ** 2));
}

/** PM2.5, PM10, NO2, SO2, CO and O3 in µg/m³ at an air-quality station. */
export function airQualityValues(device: DeviceLike, ctx: SimContext): Record<string, number> {
  const id = hashString(device.id);
  const key = id ^ ctx.seed;
  const tS = ctx.ts / 1000;
  const industrial = /KCN|cảng|Âu thuyền/i.test(device.name ?? '') ? 1 : 0;
  const roadside = deviceFactor(id, 'roadside', 0.6, 1.3);
  const traffic = trafficDemand(ctx.ts) * roadside * (1 - 0.3 * ctx.scenario.severity(ctx));
  const rain = rainIntensityMmH(ctx, rainPlaceOf(device));
  const washout = 1 - 0.65 * Math.min(1, rain / 10);
  const cloud = Math.max(ctx.scenario.severity(ctx), Math.min(1, rain / 5));
  const n = (salt: number, amp: number) => 1 + amp * sensorNoise(key + salt, tS);

  const background = deviceFactor(id, 'pm-bg', 10, 20) * (1 + 0.4 * industrial);
  const pm25 = (background + 28 * traffic) * washout * n(1, 0.15);
  const pm10 = pm25 * deviceFactor(id, 'pm-ratio', 1.5, 1.9) * n(2, 0.08);
  const no2 = (8 + 45 * traffic + 10 * industrial) * n(3, 0.15);
  const co = (300 + 1400 * traffic + 300 * industrial) * n(4, 0.1);
  const so2 = (4 + 14 * industrial + 3 * traffic) * n(5, 0.2);
  const o3 = (18 + 85 * ozoneSun(localHour(ctx.ts)) * (1 - 0.7 * cloud)) * n(6, 0.1);
  return { pm25, pm10, no2, so2, co, o3 };
}
