import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJson, parseIotAgentJson, parseThingsBoardTelemetry, primaryReason, toReadings, validateDevice, type Device } from '@haidang/domain';
import { BAD_KINDS, dropoutDurationMs, pickBadKind, spoilValues, truncateJson } from './faults.ts';
import { encodeIotAgent, encodeThingsBoard } from './payload.ts';

const checked = validateDevice({ id: 'aq-t-1', type: 'air_quality', name: 'x', location: { lat: 16, lon: 108 }, unitCode: '20233', apikey: 'k' });
assert.ok(checked.ok);
const device: Device = checked.value;
const good = { pm25: 12.3, pm10: 20.1, no2: 30, so2: 5, co: 800, o3: 40 };

/** Lets a seeded sequence drive the fault helpers. */
function sequence(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 16807) % 2147483647) - 1) / 2147483646;
}

/** The IOC's verdict on a message, using the domain's own parsers. */
function verdict(text: string, thingsBoard: boolean): string {
  const json = decodeJson(text);
  if (!json.ok) return primaryReason(json.errors);
  const groups = thingsBoard ? parseThingsBoardTelemetry(json.value) : parseIotAgentJson(json.value);
  if (!groups.ok) return primaryReason(groups.errors);
  const readings = toReadings(device, groups.value, Date.now());
  return readings.ok ? 'ok' : primaryReason(readings.errors);
}

test('good messages pass the domain checks in both formats', () => {
  assert.equal(verdict(encodeIotAgent(good), false), 'ok');
  assert.equal(verdict(encodeThingsBoard(Date.now(), good), true), 'ok');
});

test('each bad kind is rejected by the IOC for exactly that reason', () => {
  for (const thingsBoard of [false, true]) {
    for (const kind of BAD_KINDS) {
      for (let seed = 1; seed <= 30; seed++) {
        const random = sequence(seed);
        const encode = (v: Record<string, unknown>) => (thingsBoard ? encodeThingsBoard(Date.now(), v) : encodeIotAgent(v));
        const spoiled = spoilValues(kind, good, device.attributes, random);
        const text = 'truncate' in spoiled ? truncateJson(encode(good), random) : encode(spoiled.values);
        assert.equal(verdict(text, thingsBoard), kind, `${kind} (seed ${seed}, ${thingsBoard ? 'ThingsBoard' : 'IoT Agent'}): ${text}`);
      }
    }
  }
});

test('bad kinds are all used; dropouts last 5–30 periods', () => {
  const random = sequence(5);
  const seen = new Set(Array.from({ length: 200 }, () => pickBadKind(random)));
  assert.deepEqual([...seen].sort(), [...BAD_KINDS].sort());
  for (let i = 0; i < 100; i++) {
    const ms = dropoutDurationMs(1000, random);
    assert.ok(ms >= 5000 && ms <= 30000);
  }
});
