import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertView, MapDeviceProps } from '../api/types.ts';
import { airBoard, nextPanel, ranked, wallAlerts, wallInterval } from './wall-data.ts';

const dev = (id: string, type: string, values: Record<string, number>): { type: 'Feature'; geometry: { type: 'Point'; coordinates: [number, number] }; properties: MapDeviceProps } => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [108.2, 16.05] },
  properties: { id, name: `Trạm ${id}`, type, unitCode: '492', sector: 'environment', state: 'ok', severity: null, activeAlerts: 0, values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, ts: '2026-11-25T07:00:00.000Z', unit: k === 'aqi' ? 'VN_AQI' : 'mm' }])) },
});
const devices = { type: 'FeatureCollection' as const, features: [dev('r1', 'rain_gauge', { rain_1h: 12 }), dev('r2', 'rain_gauge', { rain_1h: 40 }), dev('r3', 'rain_gauge', {}), dev('a1', 'air_quality', { aqi: 42 }), dev('a2', 'air_quality', { aqi: 210 })] };

describe('video wall', () => {
  it('rotates through the panels, both ways', () => {
    assert.equal(nextPanel('map'), 'alerts');
    assert.equal(nextPanel('air'), 'map');
    assert.equal(nextPanel('map', -1), 'air');
  });

  it('reads the rotation interval from the address, within bounds', () => {
    assert.equal(wallInterval('?interval=30'), 30);
    assert.equal(wallInterval(''), 20);
    assert.equal(wallInterval('?interval=1'), 20);
    assert.equal(wallInterval('?interval=abc'), 20);
  });

  it('ranks values highest first, leaving out devices without one', () => {
    assert.deepEqual(ranked(devices, 'rain_gauge', 'rain_1h').map((r) => [r.id, r.value]), [['r2', 40], ['r1', 12]]);
  });

  it('shows air stations worst first with their VN_AQI colours', () => {
    const board = airBoard(devices);
    assert.deepEqual(board.map((b) => b.id), ['a2', 'a1']);
    assert.equal(board[0]!.colour, '#8F3F97');
    assert.equal(board[0]!.textColour, '#fff');
    assert.equal(board[1]!.colour, '#00E400');
  });

  it('orders alerts by severity, then the latest', () => {
    const a = (id: string, severity: AlertView['severity'], lastTs: string) => ({ id, severity, lastTs }) as AlertView;
    assert.deepEqual(wallAlerts([a('1', 'minor', '2026-11-25T08:00:00Z'), a('2', 'critical', '2026-11-25T07:00:00Z'), a('3', 'minor', '2026-11-25T09:00:00Z')]).map((x) => x.id), ['2', '3', '1']);
  });
});
