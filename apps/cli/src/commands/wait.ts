import type { JobErrorDto, JobResultDto, JobStateName, JobViewDto } from '@aitbc/contracts';
import type { SignedReceipt } from '@aitbc/crypto';
import { flagOption, intOption } from '../args';
import type { Command, CommandContext, OptionSpecs, OptionValues } from '../command';
import { CliError, EXIT, usageError } from '../exit-codes';
import { describeState, isTerminal, jobIdArgument, resultText } from '../jobs';
import type { Progress } from '../output';
import { checkReceipt, describeCheck, trustedKeys, type ReceiptCheck } from './receipt';

/** The seed's final output of a finished job, as one object (`--json`) or its six lines. */
export interface JobSummary {
  job_id: string;
  state: JobStateName;
  /** lower-case state, as the seed prints it */
  status: string;
  result: Record<string, unknown> | null;
  error: JobErrorDto | null;
  receipt_id: string | null;
  receipt: SignedReceipt | null;
  /** from submission to completion */
  completed_in_seconds: number | null;
  /** the receipt's price, decimal AITBC */
  cost: string | null;
  currency: 'AITBC';
  /** with --verify */
  verification?: ReceiptCheck;
}

export const WAIT_OPTIONS: OptionSpecs = {
  'max-wait': {
    type: 'string',
    value: 'SECONDS',
    description: 'stop waiting after this long (exit 1; the job goes on)',
  },
  verify: { type: 'boolean', description: "verify the receipt against the coordinator's published keys" },
};

const POLL_FIRST_MS = 500;
const POLL_MAX_MS = 5_000;

/** Waits for the job to finish, then prints its summary; the exit code says whether it completed. */
export async function waitAndReport(ctx: CommandContext, jobId: string, values: OptionValues): Promise<number> {
  const maxWait = intOption(values, 'max-wait');
  if (maxWait !== undefined && maxWait <= 0) {
    throw usageError('--max-wait must be at least 1 second');
  }
  const outcome = await waitForJob(ctx, jobId, maxWait === undefined ? null : maxWait * 1000);
  if (outcome === 'interrupted') {
    throw new CliError(EXIT.interrupted, `stopped waiting; job ${jobId} goes on (aitbc wait ${jobId})`);
  }
  if (outcome === 'timeout') {
    throw new CliError(
      EXIT.jobFailed,
      `job ${jobId} did not finish within ${maxWait} s; it goes on (aitbc wait ${jobId})`,
    );
  }
  const summary = await summarize(ctx, jobId, flagOption(values, 'verify'));
  ctx.out.result(summary, () => describeSummary(summary));
  return summary.state === 'COMPLETED' && summary.verification?.valid !== false ? EXIT.ok : EXIT.jobFailed;
}

/**
 * Follows the job's event stream until it reaches a terminal state; if the stream cannot be opened
 * or breaks off, polls the job instead (every 0.5 s, slowing to 5 s).
 */
export async function waitForJob(
  ctx: CommandContext,
  jobId: string,
  maxWaitMs: number | null,
): Promise<'finished' | 'timeout' | 'interrupted'> {
  const controller = new AbortController();
  let interrupted = false;
  const timer = maxWaitMs === null ? null : setTimeout(() => controller.abort(), maxWaitMs);
  const stopInterrupt = ctx.io.onInterrupt(() => {
    interrupted = true;
    controller.abort();
  });
  const progress = ctx.out.progress();
  try {
    const finished =
      (await followEvents(ctx, jobId, controller.signal, progress)) ||
      (await pollJob(ctx, jobId, controller.signal, progress));
    return finished ? 'finished' : interrupted ? 'interrupted' : 'timeout';
  } finally {
    progress.done();
    stopInterrupt();
    if (timer) {
      clearTimeout(timer);
    }
  }
}

async function followEvents(
  ctx: CommandContext,
  jobId: string,
  signal: AbortSignal,
  progress: Progress,
): Promise<boolean> {
  try {
    for await (const message of ctx.http.events(`/v1/jobs/${jobId}/events`, signal)) {
      if (message.event !== 'state') {
        continue;
      }
      const state = JSON.parse(message.data) as Pick<JobViewDto, 'state' | 'assigned_miner_id' | 'attempts' | 'error'>;
      progress.update(describeState(state));
      if (isTerminal(state.state)) {
        return true;
      }
    }
  } catch (error) {
    // the job or the key is wrong: polling would fail the same way; any other failure (an older or
    // proxied coordinator without the stream, a dropped connection) is worked around by polling
    if (error instanceof CliError && (error.exitCode === EXIT.auth || error.http?.code === 'JOB_NOT_FOUND')) {
      throw error;
    }
    if (!signal.aborted) {
      progress.update(`no live updates (${error instanceof Error ? error.message : String(error)}); polling`);
    }
  }
  return false;
}

async function pollJob(ctx: CommandContext, jobId: string, signal: AbortSignal, progress: Progress): Promise<boolean> {
  for (let interval = POLL_FIRST_MS; !signal.aborted; interval = Math.min(POLL_MAX_MS, interval * 1.5)) {
    const view = await ctx.http.get<JobViewDto>(`/v1/jobs/${jobId}`);
    progress.update(describeState(view));
    if (isTerminal(view.state)) {
      return true;
    }
    await ctx.io.sleep(interval, signal);
  }
  return false;
}

/** The finished job's summary: its view (times, receipt id) and its result (with the signed receipt). */
export async function summarize(ctx: CommandContext, jobId: string, verify: boolean): Promise<JobSummary> {
  const view = await ctx.http.get<JobViewDto>(`/v1/jobs/${jobId}`);
  const outcome = await ctx.http.get<JobResultDto>(`/v1/jobs/${jobId}/result`);
  const receipt = outcome.receipt as SignedReceipt | null;
  const summary: JobSummary = {
    job_id: view.job_id,
    state: view.state,
    status: view.state.toLowerCase(),
    result: outcome.result,
    error: outcome.error ?? view.error,
    receipt_id: view.receipt_id ?? receipt?.receipt_id ?? null,
    receipt,
    completed_in_seconds:
      view.completed_at === null
        ? null
        : Math.max(0, Date.parse(view.completed_at) - Date.parse(view.requested_at)) / 1000,
    cost: receipt?.price ?? null,
    currency: 'AITBC',
  };
  if (verify) {
    if (!receipt) {
      throw new CliError(EXIT.jobFailed, `job ${jobId} has no receipt to verify (${view.state})`);
    }
    summary.verification = checkReceipt(receipt, await trustedKeys(ctx, {}), view);
  }
  return summary;
}

/** The seed's final output: Job ID, Status, Result, Receipt, Completed in, Cost (and Error, Verified). */
export function describeSummary(summary: JobSummary): string {
  const lines: [string, string | null][] = [
    ['Job ID', summary.job_id],
    ['Status', summary.status],
    ['Error', summary.error && `${summary.error.code}: ${summary.error.message}`],
    ['Result', summary.state === 'COMPLETED' ? resultText(summary.result) : null],
    ['Receipt', summary.receipt_id],
    ['Completed in', summary.state === 'COMPLETED' ? seconds(summary.completed_in_seconds) : null],
    ['Cost', summary.cost === null ? null : `${summary.cost} ${summary.currency}`],
    ['Verified', summary.verification ? describeCheck(summary.verification) : null],
  ];
  return lines
    .filter(([, value]) => value !== null)
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}

/** "17 seconds", "0.4 seconds", "1 second". */
function seconds(value: number | null): string | null {
  if (value === null) {
    return null;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${rounded} ${rounded === 1 ? 'second' : 'seconds'}`;
}

export const waitCommand: Command = {
  path: ['wait'],
  summary: 'wait for a job to finish, with live progress, then print its result',
  usage: 'JOB_ID [--max-wait SECONDS] [--verify]',
  description:
    "Follows the job's event stream (GET /v1/jobs/{id}/events) with a spinner and the elapsed time;\n" +
    'if the stream is not available it polls the job instead. Exits 0 when the job completed, 1 when it\n' +
    'failed, was canceled or expired, or did not finish within --max-wait.',
  options: WAIT_OPTIONS,
  maxPositionals: 1,
  key: 'client',
  examples: [
    'aitbc wait 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5',
    'aitbc wait 3f2a9c0e5b7d4e1fa2c4b6d8e0f1a3c5 --max-wait 60 --json',
  ],
  run: (ctx, { values, positionals }) => waitAndReport(ctx, jobIdArgument(positionals), values),
};
