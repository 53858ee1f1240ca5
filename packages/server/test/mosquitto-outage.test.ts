/**
 * Server mode across an IOC outage: with deploy/mosquitto.conf, QoS 1 messages published while the
 * IOC is down wait in its persistent sessions and are all stored when it comes back — more of them
 * than Mosquitto's default queue (1000) would keep, which the control run shows.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { api, eventually, freePort, startTestIoc, tempDir } from './support/ioc.ts';
import { mqttBrokerSkip, uniqueName } from './support/servers.ts';

const CONF = fileURLToPath(new URL('../../../deploy/mosquitto.conf', import.meta.url));
/** More than the 8 subscriber sessions × Mosquitto's default queue of 1000 could hold. */
const MESSAGES = 10_000;

/** A private Mosquitto on a free port, with our settings or with the defaults. */
async function startMosquitto(dir: string, recommended: boolean): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const base = recommended
    ? readFileSync(CONF, 'utf8').replace(/^persistence_location .*$/m, `persistence_location ${dir}/`).replace(/^listener .*$/m, '')
    : 'persistence false\n';
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${base}\nuser root\nlistener ${port} 127.0.0.1\nallow_anonymous true\nlog_dest none\n`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  await eventually(async () => {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 }).catch(() => undefined);
    await c?.endAsync();
    return c !== undefined;
  }, 10_000, 'mosquitto');
  return { url, proc };
}

async function storedAfterOutage(recommended: boolean): Promise<number> {
  const dir = await tempDir('ioc-mosq-');
  const { url, proc } = await startMosquitto(dir.path, recommended);
  const env = { MQTT_URL: url, IOC_MQTT_PORT: '0', IOC_MQTT_CLIENT_ID: uniqueName('o').replace(/_/g, '-').slice(0, 30), IOC_DATA_DIR: join(dir.path, 'ioc') };
  try {
    let ioc = await startTestIoc(env, { keepDataDir: true });
    const device = { id: 'rg-o', type: 'rain_gauge', name: 'Đo mưa', location: { lat: 16, lon: 108.2 }, unitCode: '20233', apikey: 'out' };
    assert.equal((await api(ioc.httpUrl, '/api/v1/devices', { body: device })).status, 201);
    await eventually(async () => (await api(ioc.httpUrl, '/readyz')).status === 200, 10_000, 'subscribed');
    await ioc.stop();

    // The IOC is down; devices keep publishing, and the broker acknowledges every message.
    const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const t0 = Date.now() - 86_400_000;
    for (let i = 0; i < MESSAGES; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => pub.publishAsync('/out/rg-o/attrs', JSON.stringify({ rain: 1, TimeInstant: new Date(t0 + (i + j) * 1000).toISOString() }), { qos: 1 })),
      );
    }
    await pub.endAsync();

    ioc = await startTestIoc(env, { keepDataDir: true });
    const restarted = Date.now();
    const count = async () =>
      (await api<{ points: { count: number }[] }>(ioc.httpUrl, `/api/v1/devices/rg-o/series/rain?resolution=1h&from=${new Date(t0).toISOString()}`)).body.points.reduce((a, p) => a + p.count, 0);
    // Wait until the backlog stops growing.
    let last = -1;
    let n = await count();
    const end = Date.now() + 30_000;
    while ((n !== last || n === 0) && n < MESSAGES && Date.now() < end) {
      last = n;
      await new Promise((r) => setTimeout(r, 700));
      n = await count();
    }
    process.stdout.write(`# backlog: ${n} of ${MESSAGES} stored ${Date.now() - restarted} ms after restart (recommended settings: ${recommended})\n`);
    await ioc.stop();
    return n;
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited; // it writes its persistence file on the way out
    await dir.remove();
  }
}

describe('external broker: IOC outage', { skip: await mqttBrokerSkip() }, () => {
  it('with deploy/mosquitto.conf, every message published during the outage is stored', async () => {
    assert.equal(await storedAfterOutage(true), MESSAGES);
  });
  it('with Mosquitto defaults, the queue overflows and messages are lost (why the settings matter)', async () => {
    const n = await storedAfterOutage(false);
    assert.ok(n < MESSAGES, `defaults kept ${n} of ${MESSAGES}`);
  });
});
