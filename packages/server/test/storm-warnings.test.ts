/**
 * Issue #4, point 7: the simulator's `storm` scenario drives the whole warning chain end to end,
 * through real MQTT into the real IOC (embedded broker, default rules, derived series): rain
 * classes, flood alarm levels at the river stations, street flooding, and the sensors the storm
 * knocks out going offline and coming back.
 *
 * Time: the IOC runs on a simulated clock that the test advances minute by minute through the
 * 20-hour storm; each minute, every device due publishes its modelled values (the simulator's own
 * models) over MQTT at QoS 1 — stamped by the IOC on reception, as real devices are — and the test
 * waits for every PUBACK before the clock moves on. The storm's outages are honoured: those
 * devices stay silent during their windows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { sampleDevice } from '../src/sim/device.model.ts';
import { loadDemoDevices } from '../src/sim/demo-data.ts';
import { encodeIotAgent, iotAgentTopic } from '../src/sim/payload.ts';
import { getScenario } from '../src/sim/scenario.ts';
import type { Outage } from '../src/sim/sim.types.ts';
import { api, startTestIoc, type TestIoc } from './support/ioc.ts';
import { TEST_ADMIN_PASSWORD } from './support/test-app.ts';

const TYPES = new Set(['rain_gauge', 'river_level', 'flood_depth']);
const STEP_S = 60;
const STORM_H = 21;

interface AlertView {
  id: string;
  ruleId: string;
  deviceId: string | null;
  state: string;
  severity: string;
  peakValue: number | null;
  evidence: { ruleVersion: number; leaves: unknown[] };
}

describe('storm scenario → warnings, end to end through MQTT', () => {
  let ioc: TestIoc;
  let simNow = Date.parse('2026-10-14T00:00:00+07:00');
  const start = simNow;
  let outages: Outage[] = [];
  let alerts: AlertView[] = [];

  before(async () => {
    ioc = await startTestIoc({ IOC_ALERT_ESCALATION: '' }, { clock: () => simNow });
    const devices = (await loadDemoDevices()).filter((d) => TYPES.has(d.type));
    const imported = await api(ioc.httpUrl, '/api/v1/devices/import?mode=upsert', { body: devices });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const scenario = getScenario('storm');
    outages = scenario.outages(devices);
    assert.equal(outages.length, 2);
    const client = await mqtt.connectAsync(ioc.mqttUrl!, { clientId: 'storm-test', clean: true });
    const due = new Map<string, number>();
    for (let s = 0; s <= STORM_H * 3600; s += STEP_S) {
      simNow = start + s * 1000;
      const batch: Promise<unknown>[] = [];
      for (const d of devices) {
        const period = d.type === 'flood_depth' ? 60 : 300;
        if ((due.get(d.id) ?? 0) > s) continue;
        due.set(d.id, s + period);
        if (outages.some((o) => o.deviceId === d.id && s >= o.fromS && s < o.toS)) continue;
        const values = sampleDevice(d, { ts: simNow, elapsedS: s, seed: 7, scenario }, period);
        batch.push(client.publishAsync(iotAgentTopic(d.apikey, d.id), encodeIotAgent(values), { qos: 1 }));
      }
      await Promise.all(batch);
      // Absence is checked on the engine's clock tick (every 5 s of wall time): run it every simulated minute.
      ioc.services.engine.tick();
      await ioc.services.engine.drain();
    }
    await client.endAsync();
    // A fresh sign-in: the simulated day outlived the first token.
    const signIn = await api<{ accessToken: string }>(ioc.httpUrl, '/api/v1/auth/token', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD }, token: null });
    const list = await api<{ items: AlertView[]; total: number }>(ioc.httpUrl, '/api/v1/alerts?limit=500', { token: signIn.body.accessToken });
    assert.equal(list.status, 200);
    alerts = list.body.items;
  });
  after(async () => {
    await ioc?.stop();
  });

  const of = (rule: string) => alerts.filter((a) => a.ruleId === rule);

  it('classifies the rain: heavy and very heavy 24 h totals at most gauges, intense 3 h rain', () => {
    const heavy = of('rain-heavy-24h');
    assert.ok(heavy.length >= 30, `rain-heavy-24h alerts: ${heavy.length}`);
    assert.ok(heavy.some((a) => a.severity === 'critical'), 'very heavy rain (> 100 mm / 24 h) is critical');
    assert.ok(of('rain-intense-3h').length >= 20, `rain-intense-3h alerts: ${of('rain-intense-3h').length}`);
  });

  it('raises the flood alarm levels at the river stations, up to BĐ3', () => {
    const river = of('river-alarm-level');
    const byDevice = new Map(river.map((a) => [a.deviceId, a]));
    for (const id of ['rl-cl-001', 'rl-hv-001', 'rl-hv-002']) assert.ok(byDevice.has(id), `alarm level alert at ${id}`);
    assert.equal(byDevice.get('rl-cl-001')!.severity, 'critical', 'Cẩm Lệ passes BĐ3');
    assert.equal(byDevice.get('rl-cl-001')!.peakValue, 3);
    assert.ok(of('river-rising-fast').length >= 1);
    assert.equal(of('heavy-rain-and-rising-river').length, 1, 'the city-wide composite fires once');
  });

  it('reports street flooding from 20 cm, deeper streets more severe', () => {
    const flood = of('street-flooding');
    assert.ok(flood.length >= 10, `street-flooding alerts: ${flood.length}`);
    assert.ok(flood.some((a) => a.severity !== 'minor'), 'some streets over 50 cm');
  });

  it('finds exactly the sensors the storm knocked out offline, and back online after', () => {
    const offline = of('sensor-offline');
    assert.deepEqual(new Set(offline.map((a) => a.deviceId)), new Set(outages.map((o) => o.deviceId)));
    for (const a of offline) assert.equal(a.state, 'resolved', `${a.deviceId} came back`);
  });

  it('keeps the evidence of every alert: the rule version and the readings that raised it', () => {
    for (const a of alerts) {
      assert.equal(a.evidence.ruleVersion, 1);
      assert.ok(a.evidence.leaves.length >= 1);
    }
  });
});
