import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt (RFC 7914), memory-hard. Stored as `scrypt$<log2 N>$<r>$<p>$<salt b64>$<key b64>`, so the
 * parameters can be raised later and old hashes still verify (and are re-hashed at the next login).
 * N = 2^15, r = 8: 32 MiB per hash, ~50–100 ms on this machine (see docs/benchmarks.md).
 */
export interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { log2N: 15, r: 8, p: 1 };
const KEY_LEN = 32;

function derive(password: string, salt: Buffer, s: ScryptParams): Promise<Buffer> {
  const N = 2 ** s.log2N;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LEN, { N, r: s.r, p: s.p, maxmem: 256 * N * s.r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export class PasswordHasher {
  constructor(private readonly params: ScryptParams = DEFAULT_SCRYPT) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.params);
    const { log2N, r, p } = this.params;
    return `scrypt$${log2N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /** true when the password matches; a malformed hash never matches. Constant-time comparison. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![log2N, r, p].every(Number.isInteger) || log2N < 10 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) return false;
    const salt = Buffer.from(parts[4]!, 'base64');
    const expected = Buffer.from(parts[5]!, 'base64');
    if (expected.length !== KEY_LEN) return false;
    const key = await derive(password, salt, { log2N, r, p });
    return timingSafeEqual(key, expected);
  }

  /** A stored hash made with weaker parameters than the current ones. */
  outdated(stored: string): boolean {
    const [, log2N, r, p] = stored.split('$').map(Number);
    return log2N !== this.params.log2N || r !== this.params.r || p !== this.params.p;
  }
}
