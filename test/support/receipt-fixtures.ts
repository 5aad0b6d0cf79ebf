import type { SignedReceipt } from '../../libs/crypto/src/receipt';

/*
 * A receipt signed by RFC 8032 §7.1 TEST 1's key, for the seed's job (12.5 GPU-seconds at 0.02 AITBC/s):
 * a fixed vector any verifier can be checked against, without a coordinator to sign it.
 */

export const VECTOR_SEED_HEX = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const VECTOR_KEY_ID = '21fe31dfa154a261';
export const VECTOR_PUBLIC_KEY = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
export const VECTOR_JOB_ID = 'fedcba9876543210fedcba9876543210';
export const VECTOR_PAYLOAD = { type: 'inference', prompt: 'What is machine learning?', model: 'llama3.2:latest' };
export const VECTOR_RESULT = { response: 'Machine learning is a subset of artificial intelligence.' };

export const VECTOR_RECEIPT: SignedReceipt = {
  version: '1.0',
  receipt_id: '0123456789abcdef0123456789abcdef',
  job_id: VECTOR_JOB_ID,
  provider: 'rig-1/gpu-a',
  client: 'alice',
  status: 'completed',
  units: 12.5,
  unit_type: 'gpu_seconds',
  unit_price: '0.02',
  price: '0.25',
  started_at: 1769249700,
  completed_at: 1769249713,
  result_hash: 'bf2d1f70fda53eb22feeb4ec79ab195825cd3623214f4902c4bc632544381562',
  payload_hash: '79687205a620118f6db582a24953bafc88cdb59c13acdc64e68dfbbd15bdc0fb',
  model: 'llama3.2:latest',
  signature: {
    alg: 'Ed25519',
    key_id: VECTOR_KEY_ID,
    sig: 'FS4kEdsBtu6kth6apWYb94olfK1kslAtJBFFv6Ebj9UG_va4t8mV74mf85MAxx_9qs93g3SPYrXMalWZsLe1Dw',
  },
};

/** `/.well-known/aitbc-keys.json` publishing the vector's key; override a member of the key to spoil it. */
export function vectorKeyDocument(overrides: Record<string, unknown> = {}) {
  return {
    keys: [
      {
        key_id: VECTOR_KEY_ID,
        alg: 'Ed25519',
        public_key: VECTOR_PUBLIC_KEY,
        purpose: 'signing',
        created_at: '2026-01-24T10:15:00.000Z',
        ...overrides,
      },
    ],
  };
}
