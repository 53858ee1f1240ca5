import { readFile } from 'node:fs/promises';
import { validateDevice, type DeviceInput } from '@haidang/domain';

const DEMO_DIR = new URL('../../demo/', import.meta.url);

/**
 * Reads a device file — `{"devices": [...]}` or a bare array — and checks every entry with the
 * domain's validateDevice, so a typo fails at start with the device and field named.
 */
export async function loadDevicesFile(path: string | URL): Promise<DeviceInput[]> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) throw new Error(`${String(path)}: expected {"devices": [...]} or an array of devices`);
  const problems: string[] = [];
  list.forEach((d, i) => {
    const v = validateDevice(d);
    if (!v.ok) problems.push(`#${i} ${(d as { id?: unknown })?.id ?? ''}: ${v.errors.map((e) => `${e.field} ${e.reason}`).join(', ')}`);
  });
  if (problems.length) throw new Error(`${String(path)}: invalid devices: ${problems.slice(0, 5).join('; ')}`);
  return list as DeviceInput[];
}

/** The demo city's devices (packages/server/demo/devices.json). */
export async function loadDemoDevices(): Promise<DeviceInput[]> {
  return loadDevicesFile(new URL('devices.json', DEMO_DIR));
}
