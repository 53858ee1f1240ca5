import { createServer, type Server } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { hashToken } from '../../services/device.service.ts';
import type { DeviceDirectory, DirectoryEntry } from '../../services/device-directory.ts';
import type { MqttIngest } from '../../services/mqtt-ingest.ts';
import type { Logger } from '../../services/ports.ts';
import { portInUse } from '../../services/startup-error.ts';

export interface EmbeddedBroker {
  readonly port: number;
  connectedClients(): number;
  /** Stops accepting connections and closes the broker. */
  close(): Promise<void>;
}

/** MQTT 3.1.1 CONNACK return code 4: bad user name or password (§3.2.2.3). */
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * The in-process MQTT broker (aedes). Ingestion runs in `authorizePublish`, which aedes awaits
 * before it sends the PUBACK: a QoS 1 publisher is acknowledged only once its readings are
 * committed (ARCHITECTURE: durability). A client whose username is a device access token is
 * that device (ThingsBoard convention); other clients may publish only FIWARE topics.
 */
export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  ingest: MqttIngest;
  directory: DeviceDirectory;
  log: Logger;
  onClients?: (n: number) => void;
  /** A device connected with its access token (its last-used time is kept). */
  onTokenUsed?: (deviceId: string) => void;
}): Promise<EmbeddedBroker> {
  const devices = new WeakMap<Client, DirectoryEntry>();
  const broker = await Aedes.createBroker({
    authenticate(client, username, _password, done) {
      if (username === undefined || username === '') return done(null, true);
      const entry = opts.directory.byTokenHash(hashToken(username));
      if (!entry) {
        const err = Object.assign(new Error('unknown device access token'), { returnCode: BAD_USERNAME_OR_PASSWORD });
        return done(err, false);
      }
      devices.set(client, entry);
      opts.onTokenUsed?.(entry.device.id);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null); // the broker's own messages (will, $SYS)
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      opts.ingest.handle(packet.topic, payload, devices.get(client)).then(
        () => done(null),
        // Storage failed: no PUBACK; the client is disconnected and will resend (QoS 1).
        (err: Error) => {
          opts.log.error({ err: err.message, client: client.id }, 'MQTT ingest failed; disconnecting the client unacknowledged');
          done(err);
        },
      );
    },
  });
  const report = () => opts.onClients?.(broker.connectedClients);
  broker.on('client', report);
  broker.on('clientDisconnect', report);

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? portInUse('IOC_MQTT_PORT', opts.host, opts.port, 'another MQTT broker (Mosquitto?) may hold it; 0 disables the embedded broker') : e),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  opts.log.info({ port }, 'embedded MQTT broker listening');

  return {
    port,
    connectedClients: () => broker.connectedClients,
    async close() {
      // server.close() completes only when every connection has ended: the broker ends them.
      const closed = new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
      await closed;
    },
  };
}
