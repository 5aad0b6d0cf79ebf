import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  keyId,
  keyPairFromSeedHex,
  publicKeyFromBase64Url,
  publicKeyToBase64Url,
  ready,
  type Ed25519KeyPair,
  type PublishedReceiptKey,
} from '@aitbc/crypto';
import type { Queryable } from '@aitbc/event-store';
import { CLOCK, type Clock } from '../clock';
import { CONFIG, type CoordinatorConfig } from '../config';
import { PG_POOL } from '../database/database.module';
import { RECEIPT_ALG, type ReceiptKeyPurpose, type ReceiptSigner, type TrustedReceiptKey } from './receipt';

export type { PublishedReceiptKey };

interface PublicKeyRow {
  key_id: string;
  purpose: ReceiptKeyPurpose;
  public_key: string;
  created_at: Date;
}

const ENV_NAME: Record<ReceiptKeyPurpose, string> = {
  signing: 'RECEIPT_SIGNING_KEY_HEX',
  attestation: 'RECEIPT_ATTESTATION_KEY_HEX',
};

/**
 * The receipt keys. Signing uses `RECEIPT_SIGNING_KEY_HEX`, or else a key generated at the first boot
 * of the deployment and kept in `receipt_keys`, so receipts always exist and every coordinator signs
 * with the same key. Every key ever used stays recorded (public half only, for configured keys) and
 * pinned, so receipts signed before a rotation still verify. Seeds are never logged or returned.
 */
@Injectable()
export class ReceiptKeysService implements OnModuleInit {
  private readonly logger = new Logger('receipts');
  private keys: { signing: ReceiptSigner; attestation: ReceiptSigner | null } | null = null;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CoordinatorConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await ready();
    const { signingKeyHex, attestationKeyHex } = this.config.receipts;
    const signing =
      signingKeyHex === null ? await this.generatedKey('signing') : await this.configuredKey('signing', signingKeyHex);
    const attestation = attestationKeyHex === null ? null : await this.configuredKey('attestation', attestationKeyHex);
    this.keys = { signing, attestation };
    this.logger.log(
      `receipts are signed with key ${signing.keyId} (${signingKeyHex === null ? 'generated' : 'configured'})` +
        (attestation ? ` and attested with key ${attestation.keyId}` : ''),
    );
  }

  /** The key that signs new receipts. */
  signingKey(): ReceiptSigner {
    return this.loaded().signing;
  }

  /** The key that attests new receipts, when one is configured. */
  attestationKey(): ReceiptSigner | null {
    return this.loaded().attestation;
  }

  /** Every key this deployment has ever signed or attested with, oldest first. */
  async publishedKeys(db: Queryable = this.pool): Promise<PublishedReceiptKey[]> {
    return (await this.keyRows(db)).map((row) => ({
      key_id: row.key_id,
      alg: RECEIPT_ALG,
      public_key: row.public_key,
      purpose: row.purpose,
      created_at: row.created_at.toISOString(),
    }));
  }

  /**
   * The pinned keys receipts are verified against. Read from the database each time, so a key
   * another coordinator added (a rotation) is trusted here too without a restart.
   */
  async trustedKeys(db: Queryable = this.pool): Promise<TrustedReceiptKey[]> {
    return (await this.keyRows(db)).map((row) => ({
      keyId: row.key_id,
      purpose: row.purpose,
      publicKey: publicKeyFromBase64Url(row.public_key),
    }));
  }

  private async keyRows(db: Queryable): Promise<PublicKeyRow[]> {
    const { rows } = await db.query<PublicKeyRow>(
      'SELECT key_id, purpose, public_key, created_at FROM receipt_keys ORDER BY created_at, key_id',
    );
    return rows;
  }

  private loaded(): NonNullable<ReceiptKeysService['keys']> {
    if (!this.keys) {
      throw new Error('ReceiptKeysService is not initialised yet');
    }
    return this.keys;
  }

  /**
   * The deployment's generated key of `purpose`. Concurrent first boots each try to insert their own
   * candidate; the partial unique index lets exactly one win, and everyone reads the winner back.
   */
  private async generatedKey(purpose: ReceiptKeyPurpose): Promise<ReceiptSigner> {
    const candidateSeed = randomBytes(32).toString('hex');
    const candidate = keyPairFromSeedHex(candidateSeed);
    await this.pool.query(
      `INSERT INTO receipt_keys (key_id, purpose, source, public_key, secret_seed_hex, created_at)
       VALUES ($1, $2, 'generated', $3, $4, $5)
       ON CONFLICT (purpose) WHERE source = 'generated' DO NOTHING`,
      [keyId(candidate.publicKey), purpose, publicKeyToBase64Url(candidate.publicKey), candidateSeed, this.clock.now()],
    );
    const { rows } = await this.pool.query<{ key_id: string; secret_seed_hex: string }>(
      "SELECT key_id, secret_seed_hex FROM receipt_keys WHERE purpose = $1 AND source = 'generated'",
      [purpose],
    );
    const signer = toSigner(keyPairFromSeedHex(rows[0].secret_seed_hex));
    if (signer.keyId !== rows[0].key_id) {
      throw new Error(`receipt_keys: the stored ${purpose} key ${rows[0].key_id} does not match its seed`);
    }
    return signer;
  }

  /** Records a configured key's public half (never its seed), so it stays pinned after a rotation. */
  private async configuredKey(purpose: ReceiptKeyPurpose, seedHex: string): Promise<ReceiptSigner> {
    const pair = keyPairFromSeedHex(seedHex);
    const signer = toSigner(pair);
    await this.pool.query(
      `INSERT INTO receipt_keys (key_id, purpose, source, public_key, secret_seed_hex, created_at)
       VALUES ($1, $2, 'configured', $3, NULL, $4)
       ON CONFLICT (key_id) DO NOTHING`,
      [signer.keyId, purpose, publicKeyToBase64Url(pair.publicKey), this.clock.now()],
    );
    const { rows } = await this.pool.query<{ purpose: ReceiptKeyPurpose }>(
      'SELECT purpose FROM receipt_keys WHERE key_id = $1',
      [signer.keyId],
    );
    if (rows[0].purpose !== purpose) {
      // one key, one role: a verifier must be able to tell a signature from an attestation
      throw new Error(
        `${ENV_NAME[purpose]} holds key ${signer.keyId}, which is already used for ${rows[0].purpose}; use a distinct key`,
      );
    }
    return signer;
  }
}

function toSigner(pair: Ed25519KeyPair): ReceiptSigner {
  return { keyId: keyId(pair.publicKey), secretKey: pair.secretKey };
}
