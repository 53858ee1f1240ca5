import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AlertMetrics, IngestMetrics, Transport } from '../../services/ports.ts';

/** Prometheus metrics of one IOC instance, in its own registry (tests run several at once). */
export class PrometheusMetrics implements IngestMetrics, AlertMetrics {
  readonly registry = new Registry();
  private readonly acceptedTotal = new Counter({ name: 'ioc_readings_accepted_total', help: 'Readings stored', labelNames: ['transport'], registers: [this.registry] });
  private readonly rejectedTotal = new Counter({ name: 'ioc_messages_rejected_total', help: 'Messages or requests refused, by reason', labelNames: ['transport', 'reason'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'ioc_ingest_latency_seconds',
    help: 'From reception to commit of a message or request',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly dbLatencyH = new Histogram({
    name: 'ioc_db_query_seconds',
    help: 'Database statement latency, by operation',
    labelNames: ['op'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly queue = new Gauge({ name: 'ioc_ingest_queue_readings', help: 'Readings waiting for commit', registers: [this.registry] });
  readonly mqttClients = new Gauge({ name: 'ioc_mqtt_clients_connected', help: 'MQTT clients connected to the embedded broker', registers: [this.registry] });

  private readonly alertWrites = new Counter({ name: 'ioc_alert_writes_total', help: 'Alert changes written by the rule engine, by kind (raised, resolved, repeat, failure)', labelNames: ['kind'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ioc_' });
  }

  accepted(transport: Transport, readings: number): void {
    this.acceptedTotal.inc({ transport }, readings);
  }
  rejected(transport: Transport, reason: string): void {
    this.rejectedTotal.inc({ transport, reason });
  }
  ingestLatency(seconds: number): void {
    this.latency.observe(seconds);
  }
  queueDepth(readings: number): void {
    this.queue.set(readings);
  }
  dbLatency(op: string, seconds: number): void {
    this.dbLatencyH.observe({ op }, seconds);
  }
  alertWrite(kind: 'raised' | 'resolved' | 'repeat' | 'failure', n = 1): void {
    this.alertWrites.inc({ kind }, n);
  }

  /** Gauges read at scrape time: rules loaded, devices offline, alert stream clients. */
  watchAlerts(read: () => { rules: number; offlineDevices: number; streamClients: number }): void {
    const gauge = (name: string, help: string, key: 'rules' | 'offlineDevices' | 'streamClients') =>
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()[key]); } });
    gauge('ioc_rules_active', 'Enabled warning rules loaded in the engine', 'rules');
    gauge('ioc_devices_offline', 'Devices an absence rule finds offline', 'offlineDevices');
    gauge('ioc_alert_stream_clients', 'Clients on the live alert stream', 'streamClients');
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
