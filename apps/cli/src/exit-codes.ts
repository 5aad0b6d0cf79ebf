/**
 * The exit codes of `aitbc`, documented in `aitbc --help` and docs/cli.md. Scripts rely on them:
 * never renumber one, add new ones instead.
 */
export const EXIT = {
  /** the command did what was asked */
  ok: 0,
  /** the job did not complete (FAILED, CANCELED, EXPIRED, or unfinished when the wait ran out), or a receipt did not verify */
  jobFailed: 1,
  /** bad arguments, or a request the coordinator refused as invalid (400, 402, 409, 413, 422 …) */
  usage: 2,
  /** no API key, or the coordinator refused it (401) or its role (403) */
  auth: 3,
  /** the job, receipt or account does not exist, or is not yours (404) */
  notFound: 4,
  /** the coordinator could not be reached or kept failing (network errors, timeouts, 5xx, 429) after retries */
  unreachable: 5,
  /** an unexpected failure inside the CLI: a bug, please report it */
  internal: 70,
  /** Ctrl-C while waiting (the job goes on) */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What the HTTP layer knows about a refused request, for `--json` error output. */
export interface HttpFailure {
  status: number;
  code: string | null;
  request_id: string | null;
}

/**
 * A failure to report to the user as one line (no stack trace) with its exit code. Messages never
 * contain API keys or seeds.
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly http: HttpFailure | null = null,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error: bad arguments (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}
