import type { JobViewDto } from '@aitbc/contracts';
import {
  contentHash,
  keyId,
  publicKeyFromBase64Url,
  publicKeyFromHex,
  ready,
  trustedKeysFromPublished,
  verifyReceipt,
  type ReceiptKeyPurpose,
  type SignedReceipt,
  type TrustedReceiptKey,
} from '@aitbc/crypto';
import { flagOption, listOption, stringOption } from '../args';
import type { Command, CommandContext, OptionValues } from '../command';
import { redactUrl } from '../config';
import { CliError, EXIT, usageError } from '../exit-codes';
import { jobIdArgument } from '../jobs';
import { fields } from '../output';

export const KEYS_PATH = '/.well-known/aitbc-keys.json';

/** What `--verify` found: the signature check plus whether the receipt's hashes match the job. */
export interface ReceiptCheck {
  /** the signature and every attestation verify, and no hash that could be checked differs */
  valid: boolean;
  key_id: string | null;
  attestations: { key_id: string | null; valid: boolean }[];
  reasons: string[];
  /** where the pinned keys came from: the coordinator's key URL, or "offline" */
  keys: string;
  /** null when the job's result was not at hand */
  result_hash_matches: boolean | null;
  payload_hash_matches: boolean | null;
}

/** The keys receipts are checked against: given on the command line (offline), else published by the coordinator. */
export async function trustedKeys(ctx: CommandContext, values: OptionValues): Promise<[TrustedReceiptKey[], string]> {
  await ready();
  const offline = [
    ...listOption(values, 'public-key').map((text) => pinnedKey(text, 'signing')),
    ...listOption(values, 'attestation-key').map((text) => pinnedKey(text, 'attestation')),
  ];
  const keysFile = stringOption(values, 'keys-file');
  if (keysFile !== undefined) {
    offline.push(...parsePublished(await readJson(ctx, keysFile), keysFile));
  }
  if (offline.length > 0) {
    return [offline, 'offline'];
  }
  const url = redactUrl(`${ctx.config.url}${KEYS_PATH}`);
  return [parsePublished(await ctx.http.get<unknown>(KEYS_PATH, { auth: false }), url), url];
}

/** Checks `receipt` against `keys`, and against the job's own payload and result when `job` is given. */
export function checkReceipt(
  receipt: SignedReceipt,
  [keys, source]: [TrustedReceiptKey[], string],
  job: Pick<JobViewDto, 'payload' | 'result'> | null,
): ReceiptCheck {
  const signature = verifyReceipt(receipt, keys);
  const reasons = [...signature.reasons];
  const matches = (value: unknown, hash: unknown, name: string): boolean | null => {
    if (value === undefined || value === null) {
      return null;
    }
    const same = contentHash(value) === hash;
    if (!same) {
      reasons.push(`${name} does not match the job's ${name.replace('_hash', '')}`);
    }
    return same;
  };
  const resultMatches = matches(job?.result, receipt.result_hash, 'result_hash');
  const payloadMatches = matches(job?.payload, receipt.payload_hash, 'payload_hash');
  return {
    valid: reasons.length === 0,
    key_id: signature.key_id,
    attestations: signature.attestations,
    reasons,
    keys: source,
    result_hash_matches: resultMatches,
    payload_hash_matches: payloadMatches,
  };
}

/** `Verified: …` for people. */
export function describeCheck(check: ReceiptCheck): string {
  if (!check.valid) {
    return `NO: ${check.reasons.join('; ')}`;
  }
  const checked = [
    `signature by key ${check.key_id}`,
    ...check.attestations.map((attestation) => `attestation by key ${attestation.key_id}`),
  ];
  if (check.result_hash_matches) {
    checked.push('result');
  }
  if (check.payload_hash_matches) {
    checked.push('payload');
  }
  return `yes: ${checked.join(', ')} (keys: ${check.keys})`;
}

export function describeReceipt(receipt: SignedReceipt, check: ReceiptCheck | null = null): string {
  const at = (seconds: unknown) =>
    typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : null;
  return fields([
    ['Receipt', receipt.receipt_id],
    ['Job ID', receipt.job_id],
    ['Status', receipt.status],
    ['Provider', receipt.provider],
    ['Client', receipt.client],
    ['Model', receipt.model],
    ['Units', `${receipt.units} ${receipt.unit_type}`],
    ['Unit price', `${receipt.unit_price} AITBC`],
    ['Price', `${receipt.price} AITBC`],
    ['Started', at(receipt.started_at)],
    ['Completed', at(receipt.completed_at)],
    ['Result hash', receipt.result_hash],
    ['Payload hash', receipt.payload_hash],
    ['Block', receipt.block_height],
    ['Transaction', receipt.tx_hash],
    ['Signed by', receipt.signature?.key_id],
    ['Attested by', receipt.attestations?.map((attestation) => attestation.key_id).join(', ')],
    ['Verified', check && describeCheck(check)],
  ]);
}

function pinnedKey(text: string, purpose: ReceiptKeyPurpose): TrustedReceiptKey {
  let publicKey: Uint8Array;
  try {
    publicKey = /^[0-9a-fA-F]{64}$/.test(text) ? publicKeyFromHex(text) : publicKeyFromBase64Url(text);
  } catch {
    const option = purpose === 'signing' ? '--public-key' : '--attestation-key';
    throw usageError(`${option} must be a 32-byte Ed25519 public key in unpadded base64url or 64 hex digits`);
  }
  return { keyId: keyId(publicKey), purpose, publicKey };
}

function parsePublished(document: unknown, source: string): TrustedReceiptKey[] {
  try {
    return trustedKeysFromPublished(document);
  } catch (error) {
    throw new CliError(EXIT.usage, `${source} is not a receipt key document: ${(error as Error).message}`);
  }
}

async function readJson(ctx: CommandContext, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await ctx.io.readText(file);
  } catch (error) {
    throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw usageError(`${file} is not valid JSON`);
  }
}

/** A receipt as `aitbc receipt --json` wrote it: the receipt itself, or `{receipt, verification}`. */
async function receiptFromFile(ctx: CommandContext, file: string): Promise<SignedReceipt> {
  const document = (await readJson(ctx, file)) as { receipt?: unknown; receipt_id?: unknown } | null;
  const receipt = document && typeof document === 'object' && 'receipt' in document ? document.receipt : document;
  if (typeof receipt !== 'object' || receipt === null || Array.isArray(receipt)) {
    throw usageError(`${file} does not hold a receipt object`);
  }
  return receipt as SignedReceipt;
}

export const receiptCommand: Command = {
  path: ['receipt'],
  summary: "a job's signed receipt; --verify checks its signature and hashes",
  usage: 'JOB_ID [--verify] [--all] | --file FILE --verify [--public-key KEY]',
  description:
    'Without key options, --verify uses the keys the coordinator publishes at /.well-known/aitbc-keys.json\n' +
    "and also checks that the receipt's result_hash and payload_hash match the job. With --public-key,\n" +
    '--attestation-key or --keys-file it needs no coordinator at all for the keys; with --file, none at all.',
  options: {
    verify: { type: 'boolean', description: 'check the signature (and the job hashes); exit 1 if it does not hold' },
    all: { type: 'boolean', description: 'every receipt of the job (one per completed attempt), oldest first' },
    file: {
      type: 'string',
      value: 'FILE',
      description: 'a receipt saved with `aitbc receipt … --json` (- for stdin)',
      complete: 'file',
    },
    'public-key': {
      type: 'string',
      multiple: true,
      value: 'KEY',
      description: 'a pinned signing key (base64url or hex); repeatable',
    },
    'attestation-key': {
      type: 'string',
      multiple: true,
      value: 'KEY',
      description: 'a pinned attestation key; repeatable',
    },
    'keys-file': {
      type: 'string',
      value: 'FILE',
      description: 'a saved copy of /.well-known/aitbc-keys.json',
      complete: 'file',
    },
  },
  maxPositionals: 1,
  key: 'client',
  examples: [
    'aitbc receipt 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5 --verify',
    'aitbc receipt 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5 --json > receipt.json',
    'aitbc receipt --file receipt.json --verify --public-key 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  ],
  async run(ctx, { values, positionals }) {
    const file = stringOption(values, 'file');
    const verify = flagOption(values, 'verify');
    if (file !== undefined && positionals.length > 0) {
      throw usageError('give a job id or --file, not both');
    }
    const jobId = file === undefined ? jobIdArgument(positionals) : null;
    const receipts =
      file !== undefined
        ? [await receiptFromFile(ctx, file)]
        : flagOption(values, 'all')
          ? (await ctx.http.get<{ items: SignedReceipt[] }>(`/v1/jobs/${jobId}/receipts`)).items
          : [await ctx.http.get<SignedReceipt>(`/v1/jobs/${jobId}/receipt`)];
    if (!verify) {
      ctx.out.result(flagOption(values, 'all') ? { items: receipts } : receipts[0], () =>
        receipts.map((receipt) => describeReceipt(receipt)).join('\n\n'),
      );
      return EXIT.ok;
    }
    const keys = await trustedKeys(ctx, values);
    const job = jobId === null ? null : await ctx.http.get<JobViewDto>(`/v1/jobs/${jobId}`);
    // a job's result is the latest attempt's: older receipts of a retried job are checked by signature only
    const checks = receipts.map((receipt, index) =>
      checkReceipt(receipt, keys, index === receipts.length - 1 ? job : null),
    );
    const reports = receipts.map((receipt, index) => ({ receipt, verification: checks[index] }));
    ctx.out.result(flagOption(values, 'all') ? { items: reports } : reports[0], () =>
      reports.map(({ receipt, verification }) => describeReceipt(receipt, verification)).join('\n\n'),
    );
    return checks.every((check) => check.valid) ? EXIT.ok : EXIT.jobFailed;
  },
};
