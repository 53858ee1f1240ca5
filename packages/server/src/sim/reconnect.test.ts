import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { Aedes } from 'aedes';
import type { DeviceLike } from './sim.types.ts';
import { startSimulator } from './simulator.ts';

// An in-process broker this test can kill and restart, which the shared Mosquitto is not.

interface TestBroker {
  port: number;
  /** Publishes seen: topic and MQTT username of the publishing client. */
  seen: { topic: string; username: string | undefined }[];
  kill(): Promise<void>;
}

async function startBroker(port = 0): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  const usernames = new Map<string, string | undefined>();
  const seen: TestBroker['seen'] = [];
  broker.authenticate = (client, username, _password, done) => {
    usernames.set(client.id, username);
    done(null, true);
  };
  broker.on('publish', (packet, client) => {
    if (client) seen.push({ topic: packet.topic, username: usernames.get(client.id) });
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    seen,
    async kill() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(50);
  return check();
}

test('survives a broker restart, and ThingsBoard devices log in with their token', async (t) => {
  const devices: DeviceLike[] = [
    { id: 'rg-x-1', type: 'rain_gauge', apikey: 'dn-kttv-rain', location: { lat: 16.06, lon: 108.2 } },
    { id: 'tf-x-1', type: 'traffic', apikey: 'dn-traffic', accessToken: 'token-of-tf-x-1' },
  ];
  const first = await startBroker();
  const logs: string[] = [];
  const sim = await startSimulator({ url: `mqtt://127.0.0.1:${first.port}`, devices, speed: 300, dropoutRate: 0, badMessageRate: 0, log: (m) => logs.push(m) });
  t.after(() => sim.stop());
  const both = (b: TestBroker) =>
    b.seen.some((s) => s.topic === '/dn-kttv-rain/rg-x-1/attrs') &&
    b.seen.some((s) => s.topic === 'v1/devices/me/telemetry' && s.username === 'token-of-tf-x-1');
  assert.ok(await until(() => both(first), 5000), 'both devices publish');

  await first.kill();
  assert.ok(await until(() => logs.some((l) => /connection lost/.test(l)), 3000), 'the loss is logged');
  await sleep(500);
  const second = await startBroker(first.port);
  t.after(() => second.kill());
  assert.ok(await until(() => both(second), 10_000), 'both devices publish again after the restart');
  assert.ok(logs.some((l) => /reconnected/.test(l)));
  await sim.stop();
  assert.ok(sim.stats().published >= 4);
});
