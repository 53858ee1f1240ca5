/**
 * The subscriber against a scripted broker (a real socket speaking MQTT 5 through mqtt-packet):
 * PUBACKs go out only after the message is handled, and in arrival order.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { startSubscriber } from './mqtt-subscriber.ts';

interface Session {
  socket: Socket;
  packets: Packet[];
  send(p: Packet): void;
}

async function scriptedBroker(sessionPresent: () => boolean) {
  const sessions: Session[] = [];
  const waiters: ((s: Session) => void)[] = [];
  const server: Server = createServer((socket) => {
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const session: Session = { socket, packets: [], send: (p) => socket.write(mqttPacket.generate(p, { protocolVersion: 5 })) };
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined);
    parser.on('packet', (p: Packet) => {
      session.packets.push(p);
      if (p.cmd === 'connect') session.send({ cmd: 'connack', sessionPresent: sessionPresent(), reasonCode: 0 });
      if (p.cmd === 'subscribe') session.send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map(() => 1) });
    });
    sessions.push(session);
    waiters.shift()?.(session);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`,
    nextSession: () => new Promise<Session>((r) => waiters.push(r)),
    sessions,
    close: () => new Promise<void>((r) => (sessions.forEach((s) => s.socket.destroy()), server.close(() => r()))),
  };
}

const publish = (s: Session, messageId: number, topic: string, payload: string, qos: 0 | 1 = 1) =>
  s.send({ cmd: 'publish', messageId, topic, payload: Buffer.from(payload), qos, dup: false, retain: false });
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('MQTT 5 subscriber with asynchronous, ordered acknowledgements', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it('connects with a persistent session, subscribes, and acks in arrival order after handling', async () => {
    const broker = await scriptedBroker(() => false);
    closers.push(broker.close);
    const releases = new Map<string, () => void>();
    const handled: string[] = [];
    const first = broker.nextSession();
    const sub = startSubscriber({
      url: broker.url,
      clientId: 'ioc-test',
      filters: ['$share/g/+/+/+/attrs'],
      sessionExpirySeconds: 3600,
      onMessage: (topic) => new Promise<void>((r) => releases.set(topic, () => (handled.push(topic), r()))),
      onError: () => undefined,
    });
    closers.push(sub.close);
    const s = await first;
    await sub.ready;
    const connect = s.packets.find((p) => p.cmd === 'connect');
    assert.equal(connect?.cmd === 'connect' && connect.clean, false);
    assert.equal(connect?.cmd === 'connect' && connect.properties?.sessionExpiryInterval, 3600);
    const subscribe = s.packets.find((p) => p.cmd === 'subscribe');
    assert.deepEqual(subscribe?.cmd === 'subscribe' && subscribe.subscriptions.map(({ topic, qos }) => ({ topic, qos })), [{ topic: '$share/g/+/+/+/attrs', qos: 1 }]);

    publish(s, 1, '/k/a/attrs', '{}');
    publish(s, 2, '/k/b/attrs', '{}');
    publish(s, 3, '/k/c/attrs', '{}');
    await until(() => releases.size === 3);
    const acks = () => s.packets.filter((p) => p.cmd === 'puback').map((p) => (p as { messageId: number }).messageId);
    releases.get('/k/c/attrs')!();
    releases.get('/k/b/attrs')!();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(acks(), [], 'no PUBACK while the first message is still being stored');
    releases.get('/k/a/attrs')!();
    await until(() => acks().length === 3);
    assert.deepEqual(acks(), [1, 2, 3]);
    assert.deepEqual(handled, ['/k/c/attrs', '/k/b/attrs', '/k/a/attrs'], 'handled concurrently');
  });

  it('drops the connection without a PUBACK when handling fails, and resumes the session', async () => {
    let present = false;
    const broker = await scriptedBroker(() => present);
    closers.push(broker.close);
    let fail = true;
    const first = broker.nextSession();
    const sub = startSubscriber({
      url: broker.url,
      clientId: 'ioc-test-2',
      filters: ['x/+'],
      sessionExpirySeconds: 60,
      onMessage: async () => {
        if (fail) throw new Error('database down');
      },
      onError: () => undefined,
    });
    closers.push(sub.close);
    const s1 = await first;
    await sub.ready;
    present = true;
    const second = broker.nextSession();
    publish(s1, 7, 'x/1', '1');
    const s2 = await second;
    assert.equal(s1.packets.some((p) => p.cmd === 'puback'), false);
    fail = false;
    await until(() => sub.connected());
    assert.equal(s2.packets.some((p) => p.cmd === 'subscribe'), false, 'a resumed session keeps its subscriptions');
    publish(s2, 7, 'x/1', '1'); // the broker's redelivery
    await until(() => s2.packets.some((p) => p.cmd === 'puback'));
  });
});
