import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliFailure } from './cli-failure';

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  /** The run's signal: aborting it stops the download (the caller reports why). */
  signal: AbortSignal;
  /** Lets input URLs reach loopback, private and link-local addresses (tests, trusted networks). */
  allowPrivateAddresses: boolean;
}

const MAX_REDIRECTS = 3;

// Addresses a job must not make the miner fetch from: its own services, the LAN, cloud metadata.
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    return PRIVATE.check(mapped[1], 'ipv4');
  }
  const family = isIP(address);
  return family === 0 || PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Downloads `url` into `file` (which must not exist), following up to three redirects, each checked
 * again. Messages name the host only: a URL's query often carries a signature.
 */
export async function downloadInput(url: string, file: string, options: DownloadOptions): Promise<number> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  let current = new URL(url);
  try {
    for (let redirects = 0; ; redirects += 1) {
      const response = await request(current, signal, options.allowPrivateAddresses);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.resume();
        if (redirects === MAX_REDIRECTS) {
          throw new CliFailure(
            'E_BAD_INPUT',
            `input_url at ${current.host} redirects more than ${MAX_REDIRECTS} times`,
          );
        }
        current = new URL(location, current);
        if (current.protocol !== 'http:' && current.protocol !== 'https:') {
          throw new CliFailure('E_BAD_INPUT', 'input_url redirects to a URL that is not http or https');
        }
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        // A server error may pass; a client error (404, 403) will not.
        throw new CliFailure(
          status >= 500 ? 'E_RUNTIME' : 'E_BAD_INPUT',
          `input_url at ${current.host} answered HTTP ${status}`,
        );
      }
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length > options.maxBytes) {
        response.destroy();
        throw tooLarge(options.maxBytes);
      }
      return await save(response, file, options.maxBytes, signal);
    }
  } catch (error) {
    if (options.signal.aborted || error instanceof CliFailure) {
      throw error;
    }
    if (timeout.aborted) {
      throw new CliFailure('E_TIMEOUT', `input_url at ${current.host} did not deliver within ${options.timeoutMs} ms`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliFailure(
      'E_BAD_INPUT',
      `input_url at ${current.host} is unreachable (${code ?? (error as Error).message})`,
    );
  }
}

function request(url: URL, signal: AbortSignal, allowPrivate: boolean): Promise<IncomingMessage> {
  // An address literal is connected to without a lookup, so it is checked here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(literal) !== 0 && isPrivateAddress(literal)) {
    return Promise.reject(privateAddress(url));
  }
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { signal, lookup: allowPrivate ? undefined : publicOnlyLookup(url) }, resolve);
    req.once('error', reject);
  });
}

/** Resolves like `dns.lookup`, failing when any address is private, so a DNS name cannot point inwards. */
function publicOnlyLookup(url: URL): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        return callback(error, '', 0);
      }
      if (addresses.some((address) => isPrivateAddress(address.address))) {
        return callback(privateAddress(url), '', 0);
      }
      if (options.all) {
        return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      }
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function privateAddress(url: URL): CliFailure {
  return new CliFailure('E_BAD_INPUT', `input_url host ${url.hostname} is a private or loopback address`);
}

async function save(response: IncomingMessage, file: string, maxBytes: number, signal: AbortSignal): Promise<number> {
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
  await pipeline(response, cap, createWriteStream(file, { flags: 'wx' }), { signal });
  return received;
}

function tooLarge(maxBytes: number): CliFailure {
  return new CliFailure('E_BAD_INPUT', `input_url is larger than this tool's max_input_bytes (${maxBytes})`);
}
