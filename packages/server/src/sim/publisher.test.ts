import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { decodeJson, parseIotAgentJson, parseThingsBoardTelemetry, toReadings, validateDevice, type Device } from '@haidang/domain';
import type { DeviceLike } from './sim.types.ts';
import { startSimulator } from './simulator.ts';
import { MQTT_URL, mqttBrokerSkip } from '../../test/support/servers.ts';

// Runs against a real broker: the machine's Mosquitto (IOC_TEST_MQTT_URL), skipped with a notice
// when none is reachable, and required in CI like every server-mode test.
const BROKER = MQTT_URL;
const brokerSkip = await mqttBrokerSkip();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Received {
  topic: string;
  text: string;
  at: number;
}

async function subscriber(t: TestContext, topics: string[]): Promise<{ client: MqttClient; messages: Received[] } | undefined> {
  const client = await connectAsync(BROKER, { connectTimeout: 2000, reconnectPeriod: 0, clientId: `sim-test-sub-${randomBytes(4).toString('hex')}` });
  const messages: Received[] = [];
  client.on('message', (topic, payload) => messages.push({ topic, text: payload.toString(), at: Date.now() }));
  await client.subscribeAsync(topics, { qos: 1 });
  t.after(() => client.endAsync());
  return { client, messages };
}

/** Three devices of this run only: two FIWARE-style, one ThingsBoard-style. */
function testDevices(): { apikey: string; devices: DeviceLike[] } {
  const run = randomBytes(4).toString('hex');
  const apikey = `sim-test-${run}`;
  const loc = { lat: 16.06, lon: 108.22 };
  return {
    apikey,
    devices: [
      { id: `aq-${run}`, type: 'air_quality', name: 'test', location: loc, unitCode: '20233', apikey },
      { id: `rl-${run}`, type: 'river_level', name: 'test', location: { lat: 16.0125, lon: 108.2035 }, unitCode: '20312', apikey },
      { id: `tf-${run}`, type: 'traffic', name: 'test', location: loc, unitCode: '20233', apikey, accessToken: `tok_${run}_abcdef` },
    ],
  };
}

const asDevice = (d: DeviceLike): Device => {
  const v = validateDevice(d);
  assert.ok(v.ok);
  return v.value;
};

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(50);
}

test('publishes both MQTT conventions to a real broker, in the declared formats', { skip: brokerSkip }, async (t) => {
  const { apikey, devices } = testDevices();
  const sub = await subscriber(t, [`/${apikey}/+/attrs`, 'v1/devices/me/telemetry']);
  if (!sub) return;
  const [aq, river, traffic] = devices.map(asDevice) as [Device, Device, Device];
  const logs: string[] = [];
  const sim = await startSimulator({ url: BROKER, devices, scenario: 'storm', speed: 300, qos: 1, badMessageRate: 0, dropoutRate: 0, log: (m) => logs.push(m) });
  t.after(() => sim.stop());

  // Only our traffic counter sends ThingsBoard telemetry with speed and vehicles right now;
  // another simulator on the same broker would too, which does not break the checks below.
  const isOurTelemetry = (m: Received) => m.topic === 'v1/devices/me/telemetry' && /"speed"/.test(m.text) && /"vehicles"/.test(m.text);
  const count = (topic: string) => sub.messages.filter((m) => m.topic === topic).length;
  await until(
    () => count(`/${apikey}/${aq.id}/attrs`) >= 2 && count(`/${apikey}/${river.id}/attrs`) >= 2 && sub.messages.filter(isOurTelemetry).length >= 2,
    8000,
  );
  await sim.stop();

  const fiware = sub.messages.filter((m) => m.topic.startsWith(`/${apikey}/`));
  assert.ok(count(`/${apikey}/${aq.id}/attrs`) >= 2, 'air-quality messages arrived');
  assert.ok(count(`/${apikey}/${river.id}/attrs`) >= 2, 'river-level messages arrived');
  for (const m of fiware) {
    const device = m.topic.includes(aq.id) ? aq : river;
    const json = decodeJson(m.text);
    assert.ok(json.ok, m.text);
    assert.deepEqual(Object.keys(json.value as object).sort(), device.attributes.map((a) => a.name).sort(), 'exactly the declared attributes');
    const groups = parseIotAgentJson(json.value);
    assert.ok(groups.ok);
    const readings = toReadings(device, groups.value, m.at);
    assert.ok(readings.ok, `${m.text} passes the IOC checks`);
  }

  const telemetry = sub.messages.filter(isOurTelemetry);
  assert.ok(telemetry.length >= 2, 'ThingsBoard telemetry arrived');
  for (const m of telemetry) {
    const body = JSON.parse(m.text) as { ts: number; values: Record<string, number> };
    assert.ok(Number.isInteger(body.ts) && body.ts <= m.at && body.ts > m.at - 10_000, 'ts is wall-clock now, never in the future');
    assert.deepEqual(Object.keys(body.values).sort(), ['speed', 'vehicles']);
    const groups = parseThingsBoardTelemetry(body);
    assert.ok(groups.ok);
    assert.ok(toReadings(traffic, groups.value, m.at).ok, m.text);
  }
  const stats = sim.stats();
  assert.equal(stats.bad, 0);
  assert.ok(stats.published >= fiware.length, `published ${stats.published}, received ${fiware.length}`);
  assert.ok(logs.some((l) => /simulating 3 devices/.test(l)));
  // One message per device per second of wall clock at most (1 s minimum period, ±10 % jitter).
  const aqTimes = sub.messages.filter((m) => m.topic.includes(aq.id)).map((m) => m.at);
  for (let i = 1; i < aqTimes.length; i++) assert.ok(aqTimes[i]! - aqTimes[i - 1]! > 700, 'messages of one device are spaced');
});

test('with badMessageRate 1 every message is bad and counted as such (QoS 0)', { skip: brokerSkip }, async (t) => {
  const { apikey, devices } = testDevices();
  const sub = await subscriber(t, [`/${apikey}/+/attrs`]);
  if (!sub) return;
  const fiwareDevices = devices.filter((d) => !d.accessToken);
  const sim = await startSimulator({ url: BROKER, devices: fiwareDevices, speed: 300, qos: 0, badMessageRate: 1, dropoutRate: 0 });
  t.after(() => sim.stop());
  await until(() => sub.messages.length >= 6, 8000);
  await sim.stop();
  await sleep(200);
  assert.ok(sub.messages.length >= 6);
  for (const m of sub.messages) {
    const device = asDevice(fiwareDevices.find((d) => m.topic.includes(d.id))!);
    const json = decodeJson(m.text);
    const groups = json.ok ? parseIotAgentJson(json.value) : undefined;
    const readings = groups?.ok ? toReadings(device, groups.value, m.at) : undefined;
    assert.ok(!readings?.ok, `bad message ${m.text} is rejected`);
  }
  const stats = sim.stats();
  assert.ok(stats.published > 0);
  assert.equal(stats.bad, stats.published);
});

test('an unreachable broker neither crashes nor blocks: start resolves, stop is quick', async () => {
  const logs: string[] = [];
  const { devices } = testDevices();
  const sim = await startSimulator({ url: 'mqtt://127.0.0.1:1', devices, speed: 60, log: (m) => logs.push(m) });
  await sleep(300);
  const t0 = Date.now();
  await sim.stop();
  assert.ok(Date.now() - t0 < 2500, 'stop() returns promptly');
  assert.deepEqual(sim.stats(), { published: 0, bad: 0 });
  assert.ok(logs.some((l) => /not \(fully\) reachable/.test(l)));
  assert.ok(logs.some((l) => /ECONNREFUSED/.test(l)));
});

test('options are checked', async () => {
  await assert.rejects(startSimulator({ url: BROKER, devices: [], speed: 0 }), RangeError);
  await assert.rejects(startSimulator({ url: BROKER, devices: [], badMessageRate: 2 }), RangeError);
  await assert.rejects(startSimulator({ url: BROKER, devices: [], scenario: 'flood' as never }), RangeError);
});
