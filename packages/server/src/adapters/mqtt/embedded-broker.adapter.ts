import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { hashToken } from '../../services/device.service.ts';
import type { DeviceDirectory } from '../../services/device-directory.ts';
import type { MqttIngest, Publisher } from '../../services/mqtt-ingest.ts';
import type { RequestContext } from '../../services/request-context.ts';
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
/** CONNACK return codes 3 (server unavailable) and 5 (not authorized), MQTT 3.1.1 §3.2.2.3. */
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;

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
  /** Signs in a sender by the MQTT password (a data provider's API key); undefined if unknown. */
  signIn?: (password: string) => Promise<RequestContext | undefined>;
  /** Refuse connections that bring neither a device token nor valid credentials (IOC_INGEST_AUTH=credentials). */
  requireCredentials?: boolean;
}): Promise<EmbeddedBroker> {
  const publishers = new WeakMap<Client, Publisher>();
  const refuse = (done: (e: AuthenticateError | null, ok: boolean | null) => void, message: string, returnCode: number) =>
    done(Object.assign(new Error(message), { returnCode }) as AuthenticateError, false);
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      // MQTT 3.1.1 §3.1.2.9: a password comes with a username. A sender with an API key puts it
      // in the password (any username); a ThingsBoard device puts its access token in the username.
      if (password && password.length > 0) {
        if (!opts.signIn) return refuse(done, 'password sign-in is not available', BAD_USERNAME_OR_PASSWORD);
        opts.signIn(password.toString('utf8')).then(
          (caller) => {
            if (!caller) return refuse(done, 'unknown or revoked API key', BAD_USERNAME_OR_PASSWORD);
            publishers.set(client, { caller });
            done(null, true);
          },
          (e: Error) => refuse(done, e.message, SERVER_UNAVAILABLE),
        );
        return;
      }
      if (username === undefined || username === '') {
        if (opts.requireCredentials) return refuse(done, 'credentials required', NOT_AUTHORIZED);
        publishers.set(client, {});
        return done(null, true);
      }
      const entry = opts.directory.byTokenHash(hashToken(username));
      if (!entry) return refuse(done, 'unknown device access token', BAD_USERNAME_OR_PASSWORD);
      publishers.set(client, { device: entry });
      opts.onTokenUsed?.(entry.device.id);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null); // the broker's own messages (will, $SYS)
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      opts.ingest.handle(packet.topic, payload, publishers.get(client) ?? {}).then(
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

  // No Nagle delay: a PUBACK (and every small packet) leaves at once instead of waiting for the
  // client's delayed ACK (up to 40 ms per round trip on Linux).
  const server: Server = createServer({ noDelay: true }, broker.handle);
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
