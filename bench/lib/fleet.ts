/**
 * The simulated fleet: N air-quality stations (6 attributes each) under one API key, registered
 * through the HTTP import API, and the payloads they send.
 */
import { authHeaders } from './server.ts';

export const APIKEY = 'bench';
/** The default attributes of the `air_quality` type, all with ranges that include the values sent. */
export const ATTRS = ['pm25', 'pm10', 'no2', 'so2', 'co', 'o3'] as const;
/** Wards of the danang-2023 preset, which every IOC seeds at start. */
const WARDS = ['20194', '20195', '20197', '20198', '20200', '20206', '20207', '20209'];

export const deviceId = (i: number) => `bench-${String(i).padStart(5, '0')}`;

export function fleet(n: number): { id: string; input: Record<string, unknown> }[] {
  return Array.from({ length: n }, (_, i) => {
    const id = deviceId(i);
    return {
      id,
      input: {
        id,
        type: 'air_quality',
        name: `Trạm đo thử ${i}`,
        location: { lat: 16.0 + (i % 100) / 1000, lon: 108.1 + Math.floor(i / 100) / 1000 },
        unitCode: WARDS[i % WARDS.length],
        apikey: APIKEY,
      },
    };
  });
}

/** Registers the devices through `POST /api/v1/devices/import` (JSON), in chunks. */
export async function registerDevices(httpUrl: string, n: number): Promise<string[]> {
  const all = fleet(n);
  for (let i = 0; i < all.length; i += 1000) {
    const chunk = all.slice(i, i + 1000).map((d) => d.input);
    const r = await fetch(`${httpUrl}/api/v1/devices/import?mode=insert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(httpUrl)) },
      body: JSON.stringify(chunk),
    });
    if (!r.ok) throw new Error(`device import failed: HTTP ${r.status} ${(await r.text()).slice(0, 500)}`);
  }
  return all.map((d) => d.id);
}

/** One measurement of every attribute at `ts`, as a FIWARE IoT Agent JSON object. */
export function measure(ts: number, k: number): Record<string, number | string> {
  const v = (base: number, span: number) => Math.round((base + ((k * 7919) % span) / 10) * 10) / 10;
  return {
    TimeInstant: new Date(ts).toISOString(),
    pm25: v(20, 400),
    pm10: v(40, 600),
    no2: v(15, 300),
    so2: v(5, 100),
    co: v(500, 2000),
    o3: v(30, 500),
  };
}
