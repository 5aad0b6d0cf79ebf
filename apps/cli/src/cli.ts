import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Exit codes (documented in --help and the README). */
export const EXIT = { ok: 0, jobFailed: 1, usage: 2, auth: 3, unreachable: 4 } as const;

const HELP = `aitbc — the AITBC command line

Usage: aitbc [--url URL] [--api-key KEY] [--json] <command>

Commands:
  health              is the coordinator up? (GET /v1/health and /health/ready)
  help                this text

Options:
  --url URL           coordinator base URL (env AITBC_URL, default http://127.0.0.1:18000)
  --api-key KEY       API key (env AITBC_API_KEY or CLIENT_KEY)
  --json              machine-readable output
  -h, --help          this text
  --version           print the version

Exit codes: 0 ok, 1 job failed, 2 usage error, 3 authentication refused, 4 coordinator unreachable.
`;

interface Options {
  url: string;
  json: boolean;
  command: string | null;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | { error: string } | 'help' | 'version' {
  const options: Options = { url: env.AITBC_URL || 'http://127.0.0.1:18000', json: false, command: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help' || arg === 'help') {
      return 'help';
    }
    if (arg === '--version') {
      return 'version';
    }
    if (arg === '--json') {
      options.json = true;
    } else if (arg === '--url' || arg === '--api-key') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) {
        return { error: `${arg} needs a value` };
      }
      if (arg === '--url') {
        options.url = value;
      }
    } else if (arg.startsWith('-')) {
      return { error: `unknown option ${arg}` };
    } else if (options.command === null) {
      options.command = arg;
    } else {
      return { error: `unexpected argument ${arg}` };
    }
  }
  options.url = options.url.replace(/\/+$/, '');
  return options;
}

async function health(options: Options): Promise<number> {
  try {
    const [live, ready] = await Promise.all(
      ['/v1/health', '/health/ready'].map((path) => fetch(options.url + path, { signal: AbortSignal.timeout(10_000) })),
    );
    const body = (await live.json()) as { status: string; env: string; version: string };
    const readiness = (await ready.json()) as {
      status?: string;
      error?: { details?: { field: string; message: string }[] };
    };
    const isReady = ready.status === 200;
    if (options.json) {
      process.stdout.write(JSON.stringify({ url: options.url, health: body, ready: isReady, readiness }) + '\n');
    } else {
      process.stdout.write(
        `${options.url}: ${body.status} (env ${body.env}, version ${body.version}), ${isReady ? 'ready' : 'NOT ready'}\n`,
      );
      for (const detail of readiness.error?.details ?? []) {
        process.stdout.write(`  ${detail.field}: ${detail.message}\n`);
      }
    }
    return isReady ? EXIT.ok : EXIT.unreachable;
  } catch (error) {
    process.stderr.write(
      `aitbc: cannot reach ${options.url}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.unreachable;
  }
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.1.0';
  }
}

export async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseArgs(argv, env);
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (parsed === 'version') {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if ('error' in parsed) {
    process.stderr.write(`aitbc: ${parsed.error} (see aitbc --help)\n`);
    return EXIT.usage;
  }
  switch (parsed.command) {
    case null:
      process.stdout.write(HELP);
      return EXIT.usage;
    case 'health':
      return health(parsed);
    default:
      process.stderr.write(`aitbc: unknown command ${parsed.command} (see aitbc --help)\n`);
      return EXIT.usage;
  }
}
