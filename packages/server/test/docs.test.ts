/** The docs stay in step with the code: every variable, metric and refusal reason is documented. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REJECT_REASONS } from '@haidang/domain';
import { PrometheusMetrics } from '../src/adapters/metrics/prometheus.metrics.ts';
import { CONFIG_VARS } from '../src/config/config.ts';

const doc = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

test('every configuration variable is in docs/configuration.md', () => {
  const text = doc('configuration.md');
  for (const v of CONFIG_VARS) assert.ok(text.includes(`\`${v.name}\``), `${v.name} is documented`);
});

test('every ioc_ metric is in docs/operations.md', async () => {
  const text = doc('operations.md');
  const names = (await new PrometheusMetrics().registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => !/^ioc_(process|nodejs)_/.test(n));
  assert.ok(names.length >= 6);
  for (const n of names) assert.ok(text.includes(`\`${n}\``), `${n} is documented`);
});

test('every refusal reason is in docs/ingestion.md', () => {
  const text = doc('ingestion.md');
  for (const r of REJECT_REASONS) assert.ok(text.includes(`\`${r}\``), `${r} is documented`);
});
