/**
 * Live readings over Server-Sent Events, through a real listening IOC: each subscriber is streamed
 * only the readings of devices in its scope.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, eventually, startTestIoc, type TestIoc } from './support/ioc.ts';

interface SseEvent {
  event: string;
  data: unknown;
}

/** Opens an SSE stream and collects its events until closed. */
async function openStream(url: string, token: string): Promise<{ events: SseEvent[]; done: Promise<void>; close(): void }> {
  const ctl = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: ctl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const done = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  })();
  return { events, done, close: () => ctl.abort() };
}

const station = (id: string, unitCode: string) => ({ id, type: 'air_quality', name: `Trạm ${id}`, location: { lat: 16.05, lon: 108.2 }, unitCode, apikey: 'live' });
const readingsOf = (events: SseEvent[]) => events.filter((e) => e.event === 'readings').flatMap((e) => e.data as { deviceId: string }[]);

describe('live readings (SSE) are scoped', () => {
  let ioc: TestIoc;
  let hcToken: string;

  before(async () => {
    ioc = await startTestIoc({ IOC_MQTT_PORT: '0' });
    assert.equal((await api(ioc.httpUrl, '/api/v1/devices/import', { body: [station('live-hc', '20236'), station('live-st', '20263')] })).status, 200);
    const user = await api<{ id: string }>(ioc.httpUrl, '/api/v1/users', {
      body: { username: 'hc.operator', displayName: 'Điều hành viên Hải Châu', unitCode: '492', password: 'Hai-Chau-Operator-2026', assignments: [{ role: 'oc_operator', unitCode: '492' }] },
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const login = await api<{ accessToken: string }>(ioc.httpUrl, '/api/v1/auth/token', { body: { username: 'hc.operator', password: 'Hai-Chau-Operator-2026' }, token: null });
    hcToken = login.body.accessToken;
  });
  after(async () => ioc?.stop());

  it('streams the operator only the readings of its district', async () => {
    const stream = await openStream(`${ioc.httpUrl}/api/v1/live/readings`, hcToken);
    await eventually(async () => stream.events.some((e) => e.event === 'ready'), 5000, 'ready event');
    for (const id of ['live-hc', 'live-st']) {
      const r = await fetch(`${ioc.httpUrl}/iot/json?k=live&i=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pm25: 42 }) });
      assert.equal(r.status, 200);
    }
    await eventually(async () => readingsOf(stream.events).length > 0, 5000, 'readings event');
    await new Promise((r) => setTimeout(r, 1200)); // one more flush: nothing else may come
    const ids = new Set(readingsOf(stream.events).map((r) => r.deviceId));
    assert.deepEqual([...ids], ['live-hc'], 'never a Sơn Trà reading');
    stream.close();
    await stream.done;
  });

  it('refuses a stream without credentials (401) and filters by unit inside the scope', async () => {
    assert.equal((await fetch(`${ioc.httpUrl}/api/v1/live/readings`)).status, 401);
    const r = await fetch(`${ioc.httpUrl}/api/v1/live/readings?unit=nope`, { headers: { authorization: `Bearer ${hcToken}` } });
    assert.equal(r.status, 400);
  });
});
