/**
 * MQTT ingestion end to end: a real MQTT client against the embedded broker (both topic
 * conventions, ThingsBoard tokens, bad messages) and against the machine's Mosquitto with a shared
 * subscription.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { rainGauge } from './support/fixtures.ts';
import { api, eventually, metric, purgeMqttSessions, startTestIoc, type TestIoc } from './support/ioc.ts';
import { MQTT_URL, mqttBrokerSkip, uniqueName } from './support/servers.ts';

type Latest = { items: { deviceId: string; values: Record<string, { value: number; ts: string }> }[] };

const latestOf = async (ioc: TestIoc, id: string) =>
  (await api<Latest>(ioc.httpUrl, `/api/v1/latest?device=${id}`)).body.items[0]?.values ?? {};

async function registerDevices(ioc: TestIoc, apikey: string) {
  const devices = [
    { ...rainGauge('rg-1', '20233', apikey), unitCode: '20233' },
    {
      id: 'aq-1',
      type: 'air_quality',
      name: 'Trạm không khí',
      location: { lat: 16.06, lon: 108.22 },
      unitCode: '20236',
      apikey,
    },
    { id: 'tf-1', type: 'traffic', name: 'Cầu Rồng', location: { lat: 16.061, lon: 108.227 }, unitCode: '20236', apikey, accessToken: 'tb-token-0001' },
  ];
  const r = await api(ioc.httpUrl, '/api/v1/devices/import', { body: devices });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

describe('MQTT ingestion through the embedded broker', () => {
  let ioc: TestIoc;
  let client: MqttClient;

  before(async () => {
    ioc = await startTestIoc();
    await registerDevices(ioc, 'key-a');
    client = await mqtt.connectAsync(ioc.mqttUrl!, { reconnectPeriod: 0 });
  });
  after(async () => {
    await client?.endAsync();
    await ioc?.stop();
  });

  it('stores a FIWARE IoT Agent JSON message before the QoS 1 PUBACK', async () => {
    await client.publishAsync('/key-a/aq-1/attrs', JSON.stringify({ pm25: 35.5, pm10: 60, TimeInstant: '2026-11-25T10:00:00+07:00' }), { qos: 1 });
    // publishAsync resolved on PUBACK: the readings must already be queryable, no waiting.
    const v = await latestOf(ioc, 'aq-1');
    assert.equal(v.pm25?.value, 35.5);
    assert.equal(v.pm10?.value, 60);
    assert.equal(v.pm25?.ts, '2026-11-25T03:00:00.000Z');
  });

  it('stores a bare value on the single-attribute topic', async () => {
    await client.publishAsync('/key-a/rg-1/attrs/rain', '12.5', { qos: 1 });
    assert.equal((await latestOf(ioc, 'rg-1')).rain?.value, 12.5);
  });

  it('takes ThingsBoard telemetry from a device that logs in with its access token', async () => {
    const tb = await mqtt.connectAsync(ioc.mqttUrl!, { username: 'tb-token-0001', reconnectPeriod: 0 });
    try {
      await tb.publishAsync('v1/devices/me/telemetry', JSON.stringify({ speed: 41, vehicles: 20 }), { qos: 1 });
      assert.equal((await latestOf(ioc, 'tf-1')).speed?.value, 41);
      const ts = Date.now() - 60_000;
      await tb.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts, values: { speed: 38 } }, { ts: ts + 1, values: { speed: 39 } }]), { qos: 1 });
      const series = await api<{ points: { value: number }[] }>(ioc.httpUrl, `/api/v1/devices/tf-1/series/speed?from=${new Date(ts - 1).toISOString()}`);
      assert.deepEqual(series.body.points.map((p) => p.value).slice(0, 2), [38, 39]);
    } finally {
      await tb.endAsync();
    }
  });

  it('keeps a device\'s access token when an upsert import does not bring one', async () => {
    const again = [{ id: 'tf-1', type: 'traffic', name: 'Cầu Rồng (đổi tên)', location: { lat: 16.061, lon: 108.227 }, unitCode: '20236', apikey: 'key-a' }];
    assert.equal((await api(ioc.httpUrl, '/api/v1/devices/import?mode=upsert', { body: again })).status, 200);
    const tb = await mqtt.connectAsync(ioc.mqttUrl!, { username: 'tb-token-0001', reconnectPeriod: 0 });
    await tb.endAsync();
    assert.equal((await api<{ hasAccessToken: boolean }>(ioc.httpUrl, '/api/v1/devices/tf-1')).body.hasAccessToken, true);
  });

  it('refuses a connection with an unknown access token (CONNACK 4)', async () => {
    await assert.rejects(mqtt.connectAsync(ioc.mqttUrl!, { username: 'not-a-token', reconnectPeriod: 0 }), /Bad username or password/i);
  });

  it('drops bad messages with a counted reason, keeps the connection, and stores the next good one', async () => {
    const before = await metric(ioc.httpUrl, 'ioc_messages_rejected_total', { transport: 'mqtt' });
    const bad: [string, string, string][] = [
      ['/key-a/aq-1/attrs', '{"pm25": 12', 'malformed_json'],
      ['/key-a/aq-1/attrs', '{"pm25": NaN}', 'malformed_json'],
      ['/key-a/aq-1/attrs', '{"pm25": "12"}', 'wrong_type'],
      ['/key-a/aq-1/attrs', '{"pm25": 1e400}', 'not_finite'],
      ['/key-a/aq-1/attrs', '{"pm25": 5000}', 'out_of_range'],
      ['/key-a/aq-1/attrs', '{"benzene": 1}', 'unknown_attribute'],
      ['/key-a/aq-1/attrs', `{"pm25": 1, "TimeInstant": "${new Date(Date.now() + 3_600_000).toISOString()}"}`, 'future_timestamp'],
      ['/key-a/nobody/attrs', '{"pm25": 1}', 'unknown_device'],
      ['/wrong-key/aq-1/attrs', '{"pm25": 1}', 'unknown_device'],
      ['v1/devices/me/telemetry', '{"speed": 1}', 'bad_key'],
      ['/key-a/aq-1/attrs', '{"pm25": 1, "pm10": -3}', 'out_of_range'],
    ];
    for (const [topic, payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
    for (const reason of new Set(bad.map((b) => b[2]))) {
      assert.ok((await metric(ioc.httpUrl, 'ioc_messages_rejected_total', { transport: 'mqtt', reason })) >= 1, `counted ${reason}`);
    }
    assert.equal((await metric(ioc.httpUrl, 'ioc_messages_rejected_total', { transport: 'mqtt' })) - before, bad.length);
    const v = await latestOf(ioc, 'aq-1');
    assert.equal(v.pm25?.value, 35.5, 'nothing of a bad message is stored (all-or-nothing: pm25=1 with a bad pm10)');
    assert.equal(v.benzene, undefined);
    assert.ok(client.connected);
    await client.publishAsync('/key-a/aq-1/attrs', JSON.stringify({ pm25: 20 }), { qos: 1 });
    assert.equal((await latestOf(ioc, 'aq-1')).pm25?.value, 20);
  });

  it('takes a QoS 0 burst and stores every reading', async () => {
    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < 500; i++) {
      client.publish('/key-a/rg-1/attrs', JSON.stringify({ rain: i % 50, TimeInstant: new Date(t0 + i * 1000).toISOString() }), { qos: 0 });
    }
    await eventually(async () => {
      const r = await api<{ points: unknown[] }>(ioc.httpUrl, `/api/v1/devices/rg-1/series/rain?from=${new Date(t0).toISOString()}&to=${new Date(t0 + 500_000).toISOString()}`);
      return r.body.points.length === 500;
    }, 10_000, '500 readings');
    assert.ok((await metric(ioc.httpUrl, 'ioc_mqtt_clients_connected')) >= 1);
  });
});

const mosquittoSkip = await mqttBrokerSkip();

describe('MQTT ingestion from an external broker (Mosquitto) with a shared subscription', { skip: mosquittoSkip }, () => {
  let ioc: TestIoc;
  let client: MqttClient;
  const clientId = uniqueName('ioc').replace(/_/g, '-').slice(0, 40);
  const apikey = uniqueName('k');

  before(async () => {
    ioc = await startTestIoc({ MQTT_URL, IOC_MQTT_PORT: '0', IOC_MQTT_SHARE_GROUP: uniqueName('g'), IOC_MQTT_CLIENT_ID: clientId });
    await registerDevices(ioc, apikey);
    client = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
    await eventually(async () => (await api<{ status: string }>(ioc.httpUrl, '/readyz')).status === 200, 10_000, 'subscriber ready');
  });
  after(async () => {
    await client?.endAsync();
    await ioc?.stop();
    await purgeMqttSessions(MQTT_URL, [clientId]);
  });

  it('stores what devices publish to the external broker, and drops what is bad', async () => {
    await client.publishAsync(`/${apikey}/aq-1/attrs`, JSON.stringify({ pm25: 44.4 }), { qos: 1 });
    await client.publishAsync(`/${apikey}/rg-1/attrs/rain`, '3.5', { qos: 1 });
    await client.publishAsync(`/${apikey}/rg-1/attrs`, '{"rain": -1}', { qos: 1 });
    await eventually(async () => (await latestOf(ioc, 'aq-1')).pm25?.value === 44.4, 10_000, 'pm25 from Mosquitto');
    await eventually(async () => (await latestOf(ioc, 'rg-1')).rain?.value === 3.5, 10_000, 'rain from Mosquitto');
    await eventually(async () => (await metric(ioc.httpUrl, 'ioc_messages_rejected_total', { transport: 'mqtt', reason: 'out_of_range' })) === 1, 5000, 'rejection counted');
  });

  it('takes a burst of QoS 1 messages without losing or duplicating', async () => {
    const t0 = Date.now() - 7_200_000;
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        client.publishAsync(`/${apikey}/rg-1/attrs`, JSON.stringify({ rain: 1, TimeInstant: new Date(t0 + i * 1000).toISOString() }), { qos: 1 }),
      ),
    );
    const range = `from=${new Date(t0).toISOString()}&to=${new Date(t0 + 300_000).toISOString()}`;
    await eventually(async () => (await api<{ points: unknown[] }>(ioc.httpUrl, `/api/v1/devices/rg-1/series/rain?${range}`)).body.points.length === 300, 15_000, '300 readings');
    const hourly = await api<{ points: { count: number }[] }>(ioc.httpUrl, `/api/v1/devices/rg-1/series/rain?${range}&resolution=1h`);
    assert.equal(hourly.body.points.reduce((a, p) => a + p.count, 0), 300);
  });
});
