/**
 * Durability: whatever the IOC acknowledged (MQTT QoS 1 PUBACK, HTTP 2xx) survives a SIGKILL in
 * the middle of ingestion, and a SIGTERM drains what is in flight. The real main.ts runs as a
 * child process on the embedded database.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { api, freePort, tempDir } from './support/ioc.ts';
import { spawnIoc, type IocProcess } from './support/process.ts';

const DEVICES = [
  { id: 'rg-mqtt', type: 'rain_gauge', name: 'Đo mưa MQTT', location: { lat: 16.05, lon: 108.2 }, unitCode: '20233', apikey: 'dur' },
  { id: 'rg-http', type: 'rain_gauge', name: 'Đo mưa HTTP', location: { lat: 16.05, lon: 108.21 }, unitCode: '20233', apikey: 'dur' },
];

async function storedInstants(base: string, id: string, from: number): Promise<Set<number>> {
  const r = await api<{ points: { ts: string }[] }>(base, `/api/v1/devices/${id}/series/rain?from=${new Date(from).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}&limit=100000`);
  assert.equal(r.status, 200);
  return new Set(r.body.points.map((p) => Date.parse(p.ts)));
}

/** Publishes QoS 1 readings with distinct instants as fast as acks come back; records the acked. */
function mqttLoad(url: string, t0: number) {
  const acked: number[] = [];
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  client.on('error', () => undefined);
  let i = 0;
  let stopped = false;
  const pump = async () => {
    await new Promise<void>((r) => client.once('connect', () => r()));
    while (!stopped) {
      // 20 in flight at a time, so that kills land between receipt and commit.
      const batch = Array.from({ length: 20 }, () => t0 + i++);
      await Promise.all(
        batch.map((ts) =>
          client.publishAsync('/dur/rg-mqtt/attrs', JSON.stringify({ rain: 1, TimeInstant: new Date(ts).toISOString() }), { qos: 1 }).then(
            () => acked.push(ts),
            () => undefined,
          ),
        ),
      ).catch(() => undefined);
      if (!client.connected) break;
    }
  };
  const done = pump();
  return {
    acked,
    async stop() {
      stopped = true;
      client.end(true);
      await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
    },
  };
}

function httpLoad(base: string, t0: number) {
  const acked: number[] = [];
  let stopped = false;
  let i = 0;
  const worker = async () => {
    while (!stopped) {
      const items = Array.from({ length: 10 }, () => t0 + i++);
      try {
        const res = await fetch(`${base}/iot/json?k=dur&i=rg-http`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(items.map((ts) => ({ rain: 2, TimeInstant: new Date(ts).toISOString() }))),
        });
        if (res.status === 200) acked.push(...items);
        await res.text();
      } catch {
        break;
      }
    }
  };
  const done = Promise.all([worker(), worker()]);
  return {
    acked,
    async stop() {
      stopped = true;
      await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
    },
  };
}

describe('durability across SIGKILL and SIGTERM', () => {
  const procs: IocProcess[] = [];
  let dir: Awaited<ReturnType<typeof tempDir>>;
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await dir?.remove();
  });

  it('keeps every acknowledged reading after SIGKILL during QoS 1 and HTTP ingest', async () => {
    dir = await tempDir('ioc-durability-');
    const env = { IOC_DATA_DIR: dir.path, IOC_MQTT_PORT: String(await freePort()), IOC_MQTT_HOST: '127.0.0.1', IOC_DEMO: '0' };
    const httpPort = await freePort();
    const first = await spawnIoc(env, { httpPort });
    procs.push(first);
    assert.equal((await api(first.httpUrl, '/api/v1/devices/import', { body: DEVICES })).status, 200);

    const t0 = Date.now() - 86_400_000;
    const mqttRun = mqttLoad(`mqtt://127.0.0.1:${env.IOC_MQTT_PORT}`, t0);
    const httpRun = httpLoad(first.httpUrl, t0);
    // Let a few thousand readings be acknowledged, then kill the server mid-stream.
    const deadline = Date.now() + 20_000;
    while ((mqttRun.acked.length < 2000 || httpRun.acked.length < 500) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, null, 'killed by a signal');
    await mqttRun.stop();
    await httpRun.stop();
    assert.ok(mqttRun.acked.length >= 500, `MQTT readings acknowledged before the kill: ${mqttRun.acked.length}`);
    assert.ok(httpRun.acked.length >= 100, `HTTP readings acknowledged before the kill: ${httpRun.acked.length}`);

    const second = await spawnIoc(env, { httpPort: await freePort() });
    procs.push(second);
    const mqttStored = await storedInstants(second.httpUrl, 'rg-mqtt', t0);
    const httpStored = await storedInstants(second.httpUrl, 'rg-http', t0);
    const lostMqtt = mqttRun.acked.filter((ts) => !mqttStored.has(ts));
    const lostHttp = httpRun.acked.filter((ts) => !httpStored.has(ts));
    assert.deepEqual(lostMqtt, [], `MQTT: ${lostMqtt.length} of ${mqttRun.acked.length} acknowledged readings lost`);
    assert.deepEqual(lostHttp, [], `HTTP: ${lostHttp.length} of ${httpRun.acked.length} acknowledged readings lost`);

    // Rollups agree with the raw readings after recovery (same transaction).
    const hourly = await api<{ points: { count: number }[] }>(second.httpUrl, `/api/v1/devices/rg-mqtt/series/rain?resolution=1h&from=${new Date(t0).toISOString()}`);
    assert.equal(hourly.body.points.reduce((a, p) => a + p.count, 0), mqttStored.size);

    // SIGTERM: graceful stop, exit code 0.
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });
});
