import { decodeBase64Url, encodeBase64Url } from './base64url';
import { canonicalBytes, withoutNulls } from './canonical-json';
import {
  keyId,
  keyPairFromSeed,
  keyPairFromSeedHex,
  publicKeyFromBase64Url,
  publicKeyFromHex,
  publicKeyToBase64Url,
  publicKeyToHex,
  ready,
  sign,
  verify,
} from './ed25519';
import { fromHex, toHex } from './hex';

// RFC 8032 §7.1, "Test Vectors for Ed25519": TEST 1, TEST 2 and TEST 3.
const RFC8032 = [
  {
    name: 'TEST 1 (empty message)',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (1-byte message)',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (2-byte message)',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];
const [TEST1] = RFC8032;

function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] ^= 1 << bit;
  return copy;
}

beforeAll(async () => {
  await ready();
});

describe('Ed25519: RFC 8032 §7.1 vectors', () => {
  describe.each(RFC8032)('$name', ({ seed, publicKey, message, signature }) => {
    it('derives the public key from the seed', () => {
      const pair = keyPairFromSeedHex(seed);
      expect(toHex(pair.publicKey)).toBe(publicKey);
      expect(toHex(pair.secretKey)).toBe(seed + publicKey);
    });

    it('reproduces the signature byte for byte, and it verifies', () => {
      const pair = keyPairFromSeedHex(seed);
      const produced = sign(fromHex(message), pair.secretKey);
      expect(toHex(produced)).toBe(signature);
      expect(verify(fromHex(message), fromHex(signature), fromHex(publicKey))).toBe(true);
    });

    it('rejects a flipped bit in the message, the signature or the public key', () => {
      const msg = fromHex(message);
      const sig = fromHex(signature);
      const key = fromHex(publicKey);
      const tamperedMessages =
        msg.length === 0 ? [Uint8Array.of(0)] : [flipBit(msg, 0), flipBit(msg, msg.length - 1, 7)];
      for (const tampered of tamperedMessages) {
        expect(verify(tampered, sig, key)).toBe(false);
      }
      for (const index of [0, 31, 32, 63]) {
        expect(verify(msg, flipBit(sig, index), key)).toBe(false);
        expect(verify(msg, flipBit(sig, index, 7), key)).toBe(false);
      }
      for (const index of [0, 15, 31]) {
        expect(verify(msg, sig, flipBit(key, index))).toBe(false);
      }
    });
  });

  it('a signature does not verify under another vector’s key', () => {
    const [one, two] = RFC8032;
    expect(verify(fromHex(one.message), fromHex(one.signature), fromHex(two.publicKey))).toBe(false);
  });
});

describe('verify never throws on malformed input', () => {
  const message = fromHex(TEST1.message);
  const signature = fromHex(TEST1.signature);
  const publicKey = fromHex(TEST1.publicKey);
  // S = L, the group order: the smallest non-canonical scalar, which RFC 8032 §5.1.7 requires rejecting.
  const nonCanonicalS = Uint8Array.from([
    ...signature.subarray(0, 32),
    ...fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'),
  ]);

  it.each<[string, unknown, unknown, unknown]>([
    ['a short signature', message, signature.subarray(0, 63), publicKey],
    ['a long signature', message, Uint8Array.from([...signature, 0]), publicKey],
    ['an empty signature', message, new Uint8Array(0), publicKey],
    ['a short public key', message, signature, publicKey.subarray(0, 31)],
    ['a long public key', message, signature, Uint8Array.from([...publicKey, 0])],
    ['an all-zero signature', message, new Uint8Array(64), publicKey],
    ['an all-zero public key (small order)', message, signature, new Uint8Array(32)],
    ['a public key that is not a curve point', message, signature, new Uint8Array(32).fill(0xff)],
    ['a non-canonical S', message, nonCanonicalS, publicKey],
    ['a hex string as signature', message, TEST1.signature, publicKey],
    ['a base64url public key', message, signature, encodeBase64Url(publicKey)],
    ['a string message', 'hello', signature, publicKey],
    ['null everywhere', null, null, null],
    ['undefined everywhere', undefined, undefined, undefined],
    ['an array of numbers as signature', message, Array.from(signature), publicKey],
    ['a Uint16Array as public key', message, signature, new Uint16Array(16)],
  ])('returns false for %s', (_case, msg, sig, key) => {
    expect(verify(msg as Uint8Array, sig as Uint8Array, key as Uint8Array)).toBe(false);
  });

  it('accepts Buffers and byte arrays from another realm', () => {
    expect(verify(Buffer.from(message), Buffer.from(signature), Buffer.from(publicKey))).toBe(true);
  });
});

describe('keyPairFromSeedHex', () => {
  it('accepts upper-case hex as the same seed', () => {
    expect(keyPairFromSeedHex(TEST1.seed.toUpperCase()).publicKey).toEqual(fromHex(TEST1.publicKey));
  });

  it.each<[string, unknown, string]>([
    ['an empty string', '', '0 characters'],
    ['63 digits', TEST1.seed.slice(1), '63 characters'],
    ['65 digits', `${TEST1.seed}0`, '65 characters'],
    ['the 64-byte secret key', TEST1.seed + TEST1.publicKey, '128 characters'],
    ['a 0x prefix', `0x${TEST1.seed.slice(2)}`, '64 characters'],
    ['a non-hex digit', `${TEST1.seed.slice(0, 63)}g`, '64 characters'],
    ['surrounding whitespace', ` ${TEST1.seed} `, '66 characters'],
    ['a trailing newline', `${TEST1.seed}\n`, '65 characters'],
    ['base64url of the seed', encodeBase64Url(fromHex(TEST1.seed)), '43 characters'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, 'number'],
  ])('rejects %s without echoing it', (_case, seedHex, got) => {
    const call = () => keyPairFromSeedHex(seedHex as string);
    expect(call).toThrow(
      new TypeError(`keyPairFromSeedHex: the seed must be exactly 64 hexadecimal digits (32 bytes), got ${got}`),
    );
  });

  it('keyPairFromSeed rejects a seed that is not 32 bytes', () => {
    expect(() => keyPairFromSeed(new Uint8Array(31))).toThrow(
      new TypeError('keyPairFromSeed: seed must be 32 bytes, got 31'),
    );
  });
});

describe('sign', () => {
  it('rejects a secret key that is not the 64-byte libsodium key', () => {
    const message = new Uint8Array(0);
    expect(() => sign(message, fromHex(TEST1.seed))).toThrow(new TypeError('sign: secretKey must be 64 bytes, got 32'));
    expect(() => sign('text' as unknown as Uint8Array, keyPairFromSeedHex(TEST1.seed).secretKey)).toThrow(
      new TypeError('sign: message must be a Uint8Array'),
    );
  });
});

describe('keys as text', () => {
  const publicKey = fromHex(TEST1.publicKey);

  it('keyId is the first 16 hex digits of sha256(public key)', () => {
    expect(keyId(publicKey)).toBe('21fe31dfa154a261');
    expect(keyId(fromHex(RFC8032[1].publicKey))).toBe('39f713d0a644253f');
    expect(() => keyId(new Uint8Array(33))).toThrow(new TypeError('keyId: publicKey must be 32 bytes, got 33'));
  });

  it('turns a public key into base64url and hex and back', () => {
    expect(publicKeyToBase64Url(publicKey)).toBe('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo');
    expect(publicKeyToHex(publicKey)).toBe(TEST1.publicKey);
    expect(publicKeyFromBase64Url('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo')).toEqual(publicKey);
    expect(publicKeyFromHex(TEST1.publicKey.toUpperCase())).toEqual(publicKey);
  });

  it('rejects text that is not a 32-byte key', () => {
    expect(() => publicKeyFromBase64Url(encodeBase64Url(new Uint8Array(31)))).toThrow(
      new TypeError('publicKeyFromBase64Url: publicKey must be 32 bytes, got 31'),
    );
    expect(() => publicKeyFromHex('00')).toThrow(new TypeError('publicKeyFromHex: publicKey must be 32 bytes, got 1'));
    expect(() => publicKeyToHex(new Uint8Array(64))).toThrow(
      new TypeError('publicKeyToHex: publicKey must be 32 bytes, got 64'),
    );
  });
});

describe('signing canonical JSON, as receipts do', () => {
  it('signs the canonical bytes of the receipt without nulls, and any changed field fails', () => {
    const pair = keyPairFromSeedHex(TEST1.seed);
    const body = { version: '1.0', receipt_id: 'ab'.repeat(16), units: 12.5, price: '0.25', model: null };
    const sig = encodeBase64Url(sign(canonicalBytes(withoutNulls(body)), pair.secretKey));

    const reordered = { model: null, price: '0.25', units: 12.5, receipt_id: 'ab'.repeat(16), version: '1.0' };
    expect(verify(canonicalBytes(withoutNulls(reordered)), decodeBase64Url(sig), pair.publicKey)).toBe(true);
    expect(verify(canonicalBytes(withoutNulls({ ...body, price: '0.26' })), decodeBase64Url(sig), pair.publicKey)).toBe(
      false,
    );
  });
});
