import { readFile } from 'node:fs/promises';
import { validateOrgPreset } from '@haidang/domain';
import type { OrgPresetData } from '../services/org-unit.service.ts';

/** The org-tree presets shipped in packages/server/presets/ (see its README). */
export const ORG_PRESETS = ['danang-2023', 'danang-2025'] as const;
export type OrgPresetName = (typeof ORG_PRESETS)[number];

const PRESETS_DIR = new URL('../../presets/', import.meta.url);

/** Reads and validates a preset; a broken file fails loudly, naming the field. */
export async function loadOrgPreset(name: OrgPresetName): Promise<OrgPresetData> {
  const parsed = JSON.parse(await readFile(new URL(`${name}.json`, PRESETS_DIR), 'utf8')) as unknown;
  const v = validateOrgPreset(parsed);
  if (!v.ok) throw new Error(`preset ${name}: ${v.errors.slice(0, 5).map((e) => `${e.field} ${e.reason}`).join('; ')}`);
  return v.value as OrgPresetData;
}
