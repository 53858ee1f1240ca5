import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ID_PATTERN, validateDevice } from '@haidang/domain';
import { loadOrgPreset } from '../config/org-presets.ts';
import { loadDemoDevices } from './demo-data.ts';
import { riverStationOf } from './river.model.ts';

const devices = await loadDemoDevices();
// The areas of the 2023 preset (its sector OCs are not places).
const units = (await loadOrgPreset('danang-2023')).units.filter((u) => u.kind !== 'sector_oc');

test('units: Đà Nẵng 2023 layout, 1 city, 8 districts, 47 wards and communes', () => {
  const codes = new Set(units.map((u) => u.code));
  assert.equal(codes.size, units.length, 'codes are unique');
  assert.deepEqual(units.filter((u) => u.kind === 'city').map((u) => u.code), ['48']);
  assert.deepEqual(
    units.filter((u) => u.kind === 'district').map((u) => u.code).sort(),
    ['490', '491', '492', '493', '494', '495', '497', '498'],
  );
  assert.equal(units.filter((u) => u.kind === 'ward').length, 36);
  assert.equal(units.filter((u) => u.kind === 'commune').length, 11);
  for (const u of units) {
    if (u.kind === 'city') assert.equal(u.parent, null);
    else assert.ok(u.parent && codes.has(u.parent), `${u.code} has a known parent`);
    assert.ok(u.name.vi && u.name.en, `${u.code} has both names`);
    assert.match(u.name.en, /^[\x20-\x7e]+$/, `${u.code} English name has no diacritics`);
  }
  assert.equal(units.find((u) => u.code === '20332')?.parent, '497', 'Hòa Khương is in Hòa Vang');
});

test('devices: every device is valid, ids are unique, units are wards or communes', () => {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const ids = new Set<string>();
  for (const d of devices) {
    const v = validateDevice(d);
    assert.ok(v.ok, `${d.id}: ${v.ok ? '' : JSON.stringify(v.errors)}`);
    assert.match(d.id, ID_PATTERN);
    assert.ok(!ids.has(d.id), `duplicate id ${d.id}`);
    ids.add(d.id);
    const unit = byCode.get(d.unitCode);
    assert.ok(unit && (unit.kind === 'ward' || unit.kind === 'commune'), `${d.id}: unit ${d.unitCode} is a ward or commune`);
    assert.equal(d.attributes, undefined, 'attributes come from the type');
    assert.equal(d.sector, undefined, 'sector comes from the type');
    const { lat, lon } = d.location;
    assert.ok(lat > 15.8 && lat < 16.25 && lon > 107.85 && lon < 108.35, `${d.id} lies in or next to Đà Nẵng`);
  }
});

test('devices: the mix of the demo city', () => {
  const count = (type: string) => devices.filter((d) => d.type === type).length;
  assert.ok(devices.length >= 300, `${devices.length} devices`);
  assert.ok(count('air_quality') >= 10 && count('air_quality') <= 15);
  assert.ok(count('wastewater') >= 18 && count('wastewater') <= 24);
  assert.ok(count('rain_gauge') >= 40 && count('rain_gauge') <= 48);
  assert.ok(count('flood_depth') >= 55 && count('flood_depth') <= 66);
  assert.ok(count('traffic') >= 180 && count('traffic') <= 210);
  const apikeys: Record<string, string> = {
    air_quality: 'dn-env-aq',
    wastewater: 'dn-env-ww',
    rain_gauge: 'dn-kttv-rain',
    flood_depth: 'dn-flood',
    river_level: 'dn-kttv-river',
    traffic: 'dn-traffic',
  };
  for (const d of devices) assert.equal(d.apikey, apikeys[d.type], `${d.id} apikey`);
  // Rain gauges reach Hòa Vang's mountains, not only the city.
  assert.ok(devices.filter((d) => d.type === 'rain_gauge' && d.location.lon < 108.1).length >= 5);
});

test('devices: the alarm-level river stations are there and recognised by the model', () => {
  const stations = devices.filter((d) => d.type === 'river_level').map((d) => riverStationOf(d).key);
  for (const key of ['cam-le', 'ai-nghia', 'cau-lau']) assert.ok(stations.includes(key), `station ${key}`);
  assert.ok(stations.length >= 6);
});

test('devices: about 20 publish ThingsBoard-style with their own unique token', () => {
  const tokens = devices.flatMap((d) => (d.accessToken ? [d.accessToken] : []));
  assert.ok(tokens.length >= 15 && tokens.length <= 25, `${tokens.length} tokens`);
  assert.equal(new Set(tokens).size, tokens.length);
  for (const t of tokens) assert.match(t, /^[A-Za-z0-9_.~-]{8,128}$/);
});
