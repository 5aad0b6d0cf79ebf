import { randomBytes } from 'node:crypto';
import {
  encodeBase64Url,
  keyId,
  keyPairFromSeed,
  publicKeyToBase64Url,
  publicKeyToHex,
  ready,
  toHex,
} from '@aitbc/crypto';
import { stringOption } from '../args';
import type { Command } from '../command';
import { EXIT, usageError } from '../exit-codes';

const SEED_KINDS = {
  coordinator: { env: 'RECEIPT_SIGNING_KEY_HEX', what: 'receipt signing key for the coordinator' },
  attestation: { env: 'RECEIPT_ATTESTATION_KEY_HEX', what: 'receipt attestation key for the coordinator' },
  miner: { env: null, what: 'miner result-signing key: save it as <MINER_STATE_DIR>/miner-key.json' },
} as const;
const API_ROLES = { client: 'CLIENT_API_KEYS', miner: 'MINER_API_KEYS', admin: 'ADMIN_API_KEYS' } as const;
const KINDS = [...Object.keys(SEED_KINDS), 'api'];
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const keysCommand: Command = {
  path: ['keys'],
  summary: 'generate a key of a KIND: coordinator (default), attestation, miner or api',
  usage: '[KIND] [--role ROLE] [--name NAME]',
  description:
    'KIND coordinator (the default) and attestation print RECEIPT_SIGNING_KEY_HEX / RECEIPT_ATTESTATION_KEY_HEX\n' +
    'for the coordinator, with the key id and public key it will publish. miner prints a miner-key.json\n' +
    "for a miner's state directory. api prints a new API key entry for CLIENT_API_KEYS, MINER_API_KEYS or\n" +
    'ADMIN_API_KEYS. The output holds a secret: redirect it into a file only you can read.',
  options: {
    role: {
      type: 'string',
      value: 'ROLE',
      description: 'for api: client (default), miner or admin',
      complete: Object.keys(API_ROLES),
    },
    name: { type: 'string', value: 'NAME', description: 'for api: the principal name (NAME:KEY), e.g. alice' },
  },
  maxPositionals: 1,
  completePositionals: KINDS,
  key: 'none',
  examples: [
    'aitbc keys coordinator >> coordinator.env',
    '(umask 077; aitbc keys miner > miner-key.json)',
    'aitbc keys api --role client --name alice',
    'aitbc keys coordinator --json | jq -r .public_key',
  ],
  async run(ctx, { values, positionals }) {
    const kind = positionals[0] ?? 'coordinator';
    if (kind === 'api') {
      const role = stringOption(values, 'role') ?? 'client';
      if (!(role in API_ROLES)) {
        throw usageError(`--role must be client, miner or admin (got "${role}")`);
      }
      const name = stringOption(values, 'name');
      if (name !== undefined && !NAME.test(name)) {
        throw usageError('--name may hold only letters, digits, "_", "." and "-" (at most 64)');
      }
      const apiKey = `${role.slice(0, 1)}k_${encodeBase64Url(randomBytes(32))}`;
      const env = API_ROLES[role as keyof typeof API_ROLES];
      const entry = name === undefined ? apiKey : `${name}:${apiKey}`;
      ctx.out.result({ kind, role, env, name: name ?? null, api_key: apiKey, entry }, () =>
        [
          `# a ${role} API key: add the entry to ${env} (comma-separated), give the key to its user`,
          `${env}=${entry}`,
        ].join('\n'),
      );
      return EXIT.ok;
    }
    if (!(kind in SEED_KINDS)) {
      throw usageError(`unknown key kind "${kind}" (${KINDS.join(', ')})`);
    }
    if (stringOption(values, 'role') !== undefined || stringOption(values, 'name') !== undefined) {
      throw usageError('--role and --name go with `aitbc keys api`');
    }
    await ready();
    const seed = randomBytes(32);
    const { publicKey } = keyPairFromSeed(seed);
    const { env, what } = SEED_KINDS[kind as keyof typeof SEED_KINDS];
    const seedHex = toHex(seed);
    const facts = {
      kind,
      env,
      seed_hex: seedHex,
      key_id: keyId(publicKey),
      public_key: publicKeyToBase64Url(publicKey),
      public_key_hex: publicKeyToHex(publicKey),
    };
    if (env === null) {
      // stdout is exactly the miner's key file, so it can be redirected into place
      ctx.out.result(facts, () =>
        JSON.stringify({ seed_hex: seedHex, created_at: new Date(ctx.io.now()).toISOString() }),
      );
      ctx.out.note(`${what}; key_id ${facts.key_id}, public key ${facts.public_key}; keep the seed secret (chmod 600)`);
      return EXIT.ok;
    }
    ctx.out.result(facts, () =>
      [
        `# ${what}; keep the seed secret`,
        `${env}=${seedHex}`,
        `# key_id ${facts.key_id}, public key ${facts.public_key}`,
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
