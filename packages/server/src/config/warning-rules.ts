import { readFile } from 'node:fs/promises';
import { isObject, validateRule } from '@haidang/domain';

/** The warning rules installed at first start (packages/server/presets/warning-rules.json). */
export interface RulePreset {
  id: string;
  rules: unknown[];
}

const PRESET = new URL('../../presets/warning-rules.json', import.meta.url);

/** Reads the shipped rule preset and validates every rule; a broken file fails loudly, naming the rule and field. */
export async function loadRulePreset(): Promise<RulePreset> {
  const parsed = JSON.parse(await readFile(PRESET, 'utf8')) as unknown;
  if (!isObject(parsed) || typeof parsed.id !== 'string' || !Array.isArray(parsed.rules)) throw new Error('warning-rules.json: expected {id, rules: [...]}');
  parsed.rules.forEach((r, i) => {
    const v = validateRule(r);
    if (!v.ok) throw new Error(`warning-rules.json rules/${i}: ${v.errors.slice(0, 5).map((e) => `${e.field} ${e.reason}: ${e.message}`).join('; ')}`);
  });
  return { id: parsed.id, rules: parsed.rules };
}
