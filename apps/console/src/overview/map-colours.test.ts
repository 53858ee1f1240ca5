import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bboxOf, deviceColour, deviceRadius, legendOf, STATE_COLOURS } from './map-colours.ts';

const v = (attr: string, value: number) => ({ [attr]: { value, ts: '2026-11-25T07:00:00.000Z', unit: '' } });

describe('map colours', () => {
  it('colour by state, whatever the value', () => {
    for (const state of ['ok', 'warning', 'alert', 'offline'] as const) assert.equal(deviceColour({ type: 'air_quality', state, values: v('aqi', 180) }, 'state'), STATE_COLOURS[state]);
  });

  it('colour by value: VN_AQI bands (QĐ 1459 colours), flood depth, rain, river alarm level, traffic speed', () => {
    assert.equal(deviceColour({ type: 'air_quality', state: 'ok', values: v('aqi', 42) }, 'value'), '#00E400');
    assert.equal(deviceColour({ type: 'air_quality', state: 'ok', values: v('aqi', 180) }, 'value'), '#FF0000');
    assert.equal(deviceColour({ type: 'flood_depth', state: 'ok', values: v('depth', 5) }, 'value'), '#9ecae1');
    assert.equal(deviceColour({ type: 'flood_depth', state: 'alert', values: v('depth', 65) }, 'value'), '#08306b');
    assert.equal(deviceColour({ type: 'rain_gauge', state: 'ok', values: v('rain_1h', 0) }, 'value'), '#e5f5e0');
    assert.equal(deviceColour({ type: 'rain_gauge', state: 'ok', values: v('rain_1h', 30) }, 'value'), '#3f007d');
    assert.equal(deviceColour({ type: 'river_level', state: 'ok', values: v('alarm_level', 3) }, 'value'), '#e31a1c');
    assert.equal(deviceColour({ type: 'traffic', state: 'ok', values: v('speed', 8) }, 'value'), '#b30000');
  });

  it('falls back to the state where there is no value or no scale; offline always shows grey', () => {
    assert.equal(deviceColour({ type: 'wastewater', state: 'warning', values: v('cod', 300) }, 'value'), STATE_COLOURS.warning);
    assert.equal(deviceColour({ type: 'flood_depth', state: 'ok', values: {} }, 'value'), STATE_COLOURS.ok);
    assert.equal(deviceColour({ type: 'air_quality', state: 'offline', values: v('aqi', 42) }, 'value'), STATE_COLOURS.offline);
  });

  it('makes alerts and deep floods larger, bounded', () => {
    assert.ok(deviceRadius({ type: 'traffic', state: 'alert', values: {} }) > deviceRadius({ type: 'traffic', state: 'ok', values: {} }));
    assert.equal(deviceRadius({ type: 'flood_depth', state: 'alert', values: v('depth', 300) }), 14);
  });

  it('has a legend for each colouring, in both languages', () => {
    assert.equal(legendOf('state')[0]!.entries.length, 4);
    const value = legendOf('value');
    assert.equal(value[0]!.entries.length, 6); // six VN_AQI bands
    for (const g of value) for (const e of g.entries) assert.ok(typeof e.label === 'string' || (e.label.vi && e.label.en));
  });

  it('bounds any geometry', () => {
    assert.deepEqual(bboxOf([{ coordinates: [108.2, 16.05] }, { coordinates: [[[108.1, 16.0], [108.3, 16.1], [108.1, 16.1], [108.1, 16.0]]] }]), [108.1, 16.0, 108.3, 16.1]);
    assert.equal(bboxOf([]), undefined);
  });
});
