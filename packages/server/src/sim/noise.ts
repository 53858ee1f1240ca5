// Deterministic noise: the same (key, instant) always gives the same value, so models stay pure
// functions of time and tests can replay any instant. A run seed mixed into the key makes two
// simulator runs differ.

/** FNV-1a hash of a string, as an unsigned 32-bit integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one well-spread unsigned 32-bit hash (murmur3 finaliser per step). */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h ^= Math.imul((p | 0) ^ Math.floor(p / 4294967296), 0xcc9e2d51);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) from hashed parts. */
export function hash01(...parts: number[]): number {
  return mix(...parts) / 4294967296;
}

/** A per-device constant in [lo, hi): the device's own offset for one property. */
export function deviceFactor(deviceKey: number, salt: string, lo: number, hi: number): number {
  return lo + (hi - lo) * hash01(deviceKey, hashString(salt));
}

/**
 * Smooth value noise in [-1, 1]: hashed knots every `periodS` seconds, cosine-interpolated, so a
 * value drifts instead of jumping between consecutive samples.
 */
export function smoothNoise(key: number, tS: number, periodS: number): number {
  const x = tS / periodS;
  const i = Math.floor(x);
  const f = x - i;
  const a = hash01(key, i) * 2 - 1;
  const b = hash01(key, i + 1) * 2 - 1;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return a * (1 - w) + b * w;
}

/** Sample-to-sample jitter in [-1, 1], new every simulated second. */
export function jitter(key: number, tS: number): number {
  return hash01(key, Math.floor(tS), 0x5eed) * 2 - 1;
}

/** Typical sensor noise in about [-1, 1]: mostly slow drift, a little jitter. */
export function sensorNoise(key: number, tS: number): number {
  return 0.7 * smoothNoise(key, tS, 900) + 0.3 * jitter(key, tS);
}
