import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProofDto } from '@aitbc/contracts';
import {
  canonicalBytes,
  encodeBase64Url,
  keyPairFromSeedHex,
  publicKeyToBase64Url,
  ready,
  sign,
  toHex,
  type Ed25519KeyPair,
} from '@aitbc/crypto';

const KEY_FILE = 'miner-key.json';

/**
 * The miner's Ed25519 identity for result proofs. Generated on first start into the state dir
 * (mode 0600) and reused after, so a coordinator can recognise the same machine over time.
 */
export class MinerKey {
  private constructor(private readonly keyPair: Ed25519KeyPair) {}

  static async loadOrCreate(stateDir: string): Promise<{ key: MinerKey; created: boolean }> {
    await ready();
    const path = join(stateDir, KEY_FILE);
    let seedHex: string | null = null;
    try {
      const stored = JSON.parse(await readFile(path, 'utf8')) as { seed_hex?: unknown };
      if (typeof stored.seed_hex !== 'string' || !/^[0-9a-f]{64}$/.test(stored.seed_hex)) {
        throw new Error(`${path} does not hold a 32-byte seed_hex; move it away to generate a new key`);
      }
      seedHex = stored.seed_hex;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
    if (seedHex !== null) {
      return { key: new MinerKey(keyPairFromSeedHex(seedHex)), created: false };
    }
    seedHex = toHex(randomBytes(32));
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ seed_hex: seedHex, created_at: new Date().toISOString() })}\n`, {
      mode: 0o600,
    });
    await rename(tmp, path);
    return { key: new MinerKey(keyPairFromSeedHex(seedHex)), created: true };
  }

  get publicKey(): string {
    return publicKeyToBase64Url(this.keyPair.publicKey);
  }

  /** DESIGN §3: sha256 hex of the result's canonical JSON, signed as UTF-8 text. */
  proof(result: Record<string, unknown>): ProofDto {
    const hash = createHash('sha256').update(canonicalBytes(result)).digest('hex');
    const signature = sign(new TextEncoder().encode(hash), this.keyPair.secretKey);
    return { hash, signature: encodeBase64Url(signature), public_key: this.publicKey };
  }
}
