import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitedWarnings, routeTopic } from './mqtt-ingest.ts';
import type { Logger } from './ports.ts';

describe('routeTopic', () => {
  const cases: [string, ReturnType<typeof routeTopic>][] = [
    ['/k1/dev-1/attrs', { kind: 'iota', apikey: 'k1', deviceId: 'dev-1', format: { kind: 'iota-json' } }],
    ['/k1/dev-1/attrs/pm25', { kind: 'iota', apikey: 'k1', deviceId: 'dev-1', format: { kind: 'iota-single', attr: 'pm25' } }],
    ['v1/devices/me/telemetry', { kind: 'thingsboard' }],
    ['k1/dev-1/attrs', { kind: 'other' }],
    ['/k1/dev-1/attrs/pm25/x', { kind: 'other' }],
    ['//dev-1/attrs', { kind: 'other' }],
    ['/k1//attrs', { kind: 'other' }],
    ['/k1/dev-1/attrs/', { kind: 'other' }],
    ['/k1/dev-1/cmd', { kind: 'other' }],
    ['v1/devices/me/attributes', { kind: 'other' }],
    ['', { kind: 'other' }],
  ];
  for (const [topic, want] of cases) it(`routes "${topic}"`, () => assert.deepEqual(routeTopic(topic), want));
});

describe('RateLimitedWarnings', () => {
  it('logs one warning per reason per interval and counts the suppressed', () => {
    const lines: object[] = [];
    const log: Logger = { info() {}, error() {}, debug() {}, warn: (o) => lines.push(o as object) };
    const w = new RateLimitedWarnings(log, 1000);
    w.warn('out_of_range', { topic: 'a' }, 0);
    w.warn('out_of_range', { topic: 'b' }, 10);
    w.warn('out_of_range', { topic: 'c' }, 999);
    w.warn('malformed_json', { topic: 'd' }, 500);
    w.warn('out_of_range', { topic: 'e' }, 1000);
    assert.deepEqual(lines, [
      { topic: 'a', reason: 'out_of_range', suppressedSinceLast: 0 },
      { topic: 'd', reason: 'malformed_json', suppressedSinceLast: 0 },
      { topic: 'e', reason: 'out_of_range', suppressedSinceLast: 2 },
    ]);
  });
});
