/**
 * Who may send readings. With IOC_INGEST_AUTH=credentials, only signed-in senders — a data
 * provider's API key (HTTP bearer, or the MQTT password), or a device's own access token — and
 * only for devices in their scope. With the default (FIWARE `apikey`), an API key as password
 * still limits its holder to its scope. Real IOC, real MQTT client, embedded broker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { api, eventually, startTestIoc, type TestIoc } from './support/ioc.ts';

const station = (id: string, unitCode: string, extra: Record<string, unknown> = {}) => ({ id, type: 'air_quality', name: `Trạm ${id}`, location: { lat: 16.05, lon: 108.2 }, unitCode, apikey: 'aq', ...extra });

async function provider(ioc: TestIoc, username: string, unitCode: string): Promise<string> {
  const u = await api<{ id: string }>(ioc.httpUrl, '/api/v1/users', { body: { username, displayName: username, kind: 'service', unitCode, assignments: [{ role: 'data_provider', unitCode }] } });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const k = await api<{ key: string }>(ioc.httpUrl, `/api/v1/users/${u.body.id}/api-keys`, { body: { name: 'gateway' } });
  assert.equal(k.status, 201);
  return k.body.key;
}

const count = async (ioc: TestIoc, id: string): Promise<number> => {
  const r = await api<{ points: unknown[] }>(ioc.httpUrl, `/api/v1/devices/${id}/series/pm25?from=2020-01-01T00:00:00Z`);
  return r.body.points.length;
};

const send = (ioc: TestIoc, id: string, token?: string) =>
  fetch(`${ioc.httpUrl}/iot/json?k=aq&i=${id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ pm25: 12 }) });

describe('IOC_INGEST_AUTH=credentials', () => {
  let ioc: TestIoc;
  let key: string;

  before(async () => {
    ioc = await startTestIoc({ IOC_INGEST_AUTH: 'credentials' });
    assert.equal((await api(ioc.httpUrl, '/api/v1/devices/import', { body: [station('cr-hc', '20236', { accessToken: 'cr-hc-token-0001' }), station('cr-st', '20263')] })).status, 200);
    key = await provider(ioc, 'hc-water', '492');
  });
  after(async () => ioc?.stop());

  it('HTTP: anonymous senders are refused (401); a provider sends for its own devices only', async () => {
    const anon = await send(ioc, 'cr-hc');
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as { code: string }).code, 'IOC_ERR_UNAUTHENTICATED');
    assert.equal((await send(ioc, 'cr-hc', key)).status, 200);
    assert.equal((await send(ioc, 'cr-st', key)).status, 401, 'Sơn Trà is not its device: as unknown as a wrong key');
    assert.equal(await count(ioc, 'cr-st'), 0);
  });

  it('MQTT: an anonymous connection is refused; an API key as password publishes for its scope only', async () => {
    await assert.rejects(mqtt.connectAsync(ioc.mqttUrl!, { reconnectPeriod: 0 }), /Not authorized/i);
    await assert.rejects(mqtt.connectAsync(ioc.mqttUrl!, { username: 'x', password: 'hdk_not-a-key', reconnectPeriod: 0 }), /Bad username or password/i);
    const c = await mqtt.connectAsync(ioc.mqttUrl!, { username: 'hc-water', password: key, reconnectPeriod: 0 });
    const before = await count(ioc, 'cr-hc');
    await c.publishAsync('/aq/cr-hc/attrs', JSON.stringify({ pm25: 30 }), { qos: 1 });
    await c.publishAsync('/aq/cr-st/attrs', JSON.stringify({ pm25: 31 }), { qos: 1 });
    await c.endAsync();
    await eventually(async () => (await count(ioc, 'cr-hc')) === before + 1, 5000, 'the in-scope reading');
    assert.equal(await count(ioc, 'cr-st'), 0, 'nothing stored for the out-of-scope device');
  });

  it('MQTT: a device with its access token sends for itself, not for others', async () => {
    const c = await mqtt.connectAsync(ioc.mqttUrl!, { username: 'cr-hc-token-0001', reconnectPeriod: 0 });
    const before = await count(ioc, 'cr-hc');
    await c.publishAsync('/aq/cr-hc/attrs', JSON.stringify({ pm25: 33 }), { qos: 1 });
    await c.publishAsync('/aq/cr-st/attrs', JSON.stringify({ pm25: 34 }), { qos: 1 });
    await c.endAsync();
    await eventually(async () => (await count(ioc, 'cr-hc')) === before + 1, 5000, 'its own reading');
    assert.equal(await count(ioc, 'cr-st'), 0);
  });

  it('a revoked API key can no longer connect', async () => {
    const users = await api<{ items: { id: string; username: string }[] }>(ioc.httpUrl, '/api/v1/users?kind=service');
    const id = users.body.items.find((u) => u.username === 'hc-water')!.id;
    const keys = await api<{ items: { id: string }[] }>(ioc.httpUrl, `/api/v1/users/${id}/api-keys`);
    assert.equal((await api(ioc.httpUrl, `/api/v1/users/${id}/api-keys/${keys.body.items[0]!.id}`, { method: 'DELETE' })).status, 204);
    await assert.rejects(mqtt.connectAsync(ioc.mqttUrl!, { username: 'hc-water', password: key, reconnectPeriod: 0 }), /Bad username or password/i);
    assert.equal((await send(ioc, 'cr-hc', key)).status, 401);
  });
});

describe('IOC_INGEST_AUTH=apikey (default)', () => {
  let ioc: TestIoc;
  before(async () => {
    ioc = await startTestIoc();
    assert.equal((await api(ioc.httpUrl, '/api/v1/devices/import', { body: [station('ak-hc', '20236'), station('ak-st', '20263')] })).status, 200);
  });
  after(async () => ioc?.stop());

  it('takes anonymous FIWARE senders, and still holds a signed-in sender to its scope', async () => {
    assert.equal((await send(ioc, 'ak-st')).status, 200);
    const key = await provider(ioc, 'hc-air', '492');
    assert.equal((await send(ioc, 'ak-hc', key)).status, 200);
    assert.equal((await send(ioc, 'ak-st', key)).status, 401);
  });
});
