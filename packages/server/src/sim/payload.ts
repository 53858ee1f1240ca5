// The two MQTT conventions the IOC ingests (see ARCHITECTURE.md, "Standards").

/** ThingsBoard device telemetry topic; the device is known from its MQTT username (token). */
export const THINGSBOARD_TOPIC = 'v1/devices/me/telemetry';

/** FIWARE IoT Agent JSON multi-measure topic of a device. */
export function iotAgentTopic(apikey: string, deviceId: string): string {
  return `/${apikey}/${deviceId}/attrs`;
}

/** FIWARE IoT Agent JSON payload: `{"attr": value, ...}`, the IOC stamps reception time. */
export function encodeIotAgent(values: Record<string, unknown>): string {
  return JSON.stringify(values);
}

/** ThingsBoard telemetry payload with an explicit timestamp (ms, wall clock). */
export function encodeThingsBoard(ts: number, values: Record<string, unknown>): string {
  return JSON.stringify({ ts, values });
}
