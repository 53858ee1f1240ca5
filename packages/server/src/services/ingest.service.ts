import {
  type Checked,
  type FieldError,
  IocError,
  type MeasureGroup,
  type RejectReason,
  decodeJson,
  fieldError,
  parseIotAgentJson,
  parseSingleMeasure,
  parseThingsBoardTelemetry,
  primaryReason,
  toReadings,
} from '@haidang/domain';
import type { DeviceDirectory, DirectoryEntry } from './device-directory.ts';
import type { ReadingWriter } from './reading-writer.ts';
import type { Clock, IngestMetrics, SeriesReading, Transport } from './ports.ts';

/** A message refused before storage: why, and the field-level detail. */
export class IngestRejection extends IocError {
  constructor(
    readonly reason: RejectReason,
    errors: FieldError[],
    code: 'IOC_ERR_INGEST_AUTH' | 'IOC_ERR_INGEST_REJECTED' | 'IOC_ERR_PAYLOAD_TOO_LARGE' = 'IOC_ERR_INGEST_REJECTED',
  ) {
    super(code, errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; '), errors);
  }
}

/** How a payload is encoded; decides the parser. */
export type PayloadFormat =
  | { kind: 'iota-json' }
  | { kind: 'iota-single'; attr: string }
  | { kind: 'thingsboard' };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Ingestion, the same for every transport: find the device, parse the payload, check it against
 * the device's declared attributes, and resolve once the readings are committed. A message is
 * stored whole or refused whole (IngestRejection, counted per reason).
 */
import type { AccessPolicy } from './access-policy.ts';
import type { RequestContext } from './request-context.ts';

export type IngestAuthMode = 'apikey' | 'credentials';

export class IngestService {
  constructor(
    private readonly directory: DeviceDirectory,
    private readonly writer: ReadingWriter,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
    private readonly maxPayloadBytes: number,
    private readonly access: AccessPolicy,
    /**
     * `apikey`: the FIWARE convention — the API key and device id are the credential (anyone who
     * knows them may send). `credentials`: senders must also be signed in (a data provider's API
     * key, or the device's own access token on MQTT) and hold ingest.write over the device.
     */
    readonly mode: IngestAuthMode = 'apikey',
  ) {}

  /**
   * FIWARE IoT Agent addressing: the API-key group and the device id must match a device. A
   * signed-in caller (a data provider's API key) must also hold ingest.write over the device;
   * otherwise the device is as unknown to them as a wrong key.
   */
  findByKey(apikey: string, deviceId: string): DirectoryEntry | undefined {
    const entry = this.directory.get(deviceId);
    return entry && entry.device.apikey === apikey ? entry : undefined;
  }

  /**
   * findByKey for a sender who may be signed in (`caller`) or be a device connected with its own
   * access token (`device`). In `credentials` mode an anonymous sender finds nothing.
   */
  async findForCaller(apikey: string, deviceId: string, caller: RequestContext | undefined, device?: DirectoryEntry): Promise<DirectoryEntry | undefined> {
    const entry = this.findByKey(apikey, deviceId);
    if (!entry) return undefined;
    if (device) return device === entry || this.mode === 'apikey' ? entry : undefined;
    if (caller) return (await this.access.grant(caller, 'ingest.write', entry.device)) ? entry : undefined;
    return this.mode === 'apikey' ? entry : undefined;
  }

  /** Ingests raw payload bytes (MQTT). */
  async ingestBytes(transport: Transport, entry: DirectoryEntry | undefined, format: PayloadFormat, payload: Uint8Array, receivedAt = this.clock()): Promise<number> {
    return this.run(transport, receivedAt, () => {
      const device = this.requireDevice(entry);
      if (payload.byteLength > this.maxPayloadBytes) {
        throw new IngestRejection('too_large', [fieldError('', 'too_large', `payload of ${payload.byteLength} bytes exceeds ${this.maxPayloadBytes}`)], 'IOC_ERR_PAYLOAD_TOO_LARGE');
      }
      let text: string;
      try {
        text = UTF8.decode(payload);
      } catch {
        throw new IngestRejection('malformed_json', [fieldError('', 'malformed_json', 'payload is not valid UTF-8')]);
      }
      let groups: Checked<MeasureGroup[]>;
      if (format.kind === 'iota-single') groups = parseSingleMeasure(format.attr, text);
      else {
        const json = decodeJson(text);
        groups = !json.ok ? json : format.kind === 'iota-json' ? parseIotAgentJson(json.value) : parseThingsBoardTelemetry(json.value);
      }
      return { device, groups };
    });
  }

  /** Ingests an already-parsed JSON body (HTTP; the framework enforced the size limit). */
  async ingestJson(transport: Transport, entry: DirectoryEntry | undefined, body: unknown, receivedAt = this.clock()): Promise<number> {
    return this.run(transport, receivedAt, () => ({ device: this.requireDevice(entry), groups: parseIotAgentJson(body) }));
  }

  /** Counts a message refused before it reached a device (bad topic, unknown key) under `reason`. */
  countRejected(transport: Transport, reason: RejectReason): void {
    this.metrics.rejected(transport, reason);
  }

  private requireDevice(entry: DirectoryEntry | undefined): DirectoryEntry {
    if (!entry) throw new IngestRejection('unknown_device', [fieldError('i', 'unknown_device', 'no device with this id under this API key')], 'IOC_ERR_INGEST_AUTH');
    return entry;
  }

  private async run(
    transport: Transport,
    receivedAt: number,
    parse: () => { device: DirectoryEntry; groups: Checked<MeasureGroup[]> },
  ): Promise<number> {
    let rows: SeriesReading[];
    try {
      const { device, groups } = parse();
      if (!groups.ok) throw new IngestRejection(primaryReason(groups.errors), groups.errors);
      const readings = toReadings(device.device, groups.value, receivedAt);
      if (!readings.ok) throw new IngestRejection(primaryReason(readings.errors), readings.errors);
      rows = readings.value.map((r) => ({ seriesId: device.series[r.attr]!, ts: r.ts, value: r.value }));
      if (rows.some((r) => r.seriesId === undefined)) {
        // A declared attribute always has a series (created with the device); this is a bug if it fires.
        throw new IocError('IOC_ERR_INTERNAL', `device ${device.device.id} has an attribute without a series`);
      }
    } catch (e) {
      if (e instanceof IngestRejection) this.metrics.rejected(transport, e.reason);
      throw e;
    }
    await this.writer.write(rows);
    this.metrics.accepted(transport, rows.length);
    this.metrics.ingestLatency((this.clock() - receivedAt) / 1000);
    return rows.length;
  }
}
