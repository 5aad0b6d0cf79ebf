import { join } from 'node:path';
import { shortMessage, startRunDeadline, stoppedOutcome } from '../run-deadline';
import type { RunContext, Runner, RunMetrics, RunOutcome } from '../runner';
import { AllowList, checkArgs, CliTool, findExecutable } from './allow-list';
import { CliFailure, exitFailure } from './cli-failure';
import { CliJob, isCliPayload, parseCliJob } from './cli-job';
import { encodesWithNvenc, ffmpegArgs, inputFileName, outputFileName } from './ffmpeg-request';
import { downloadInput } from './input-download';
import { Launchers, limitedCommand, runTool } from './tool-process';
import { collectOutputs, writeInputs } from './workspace-files';

export interface CliRunnerOptions {
  allowList: AllowList;
  /**
   * Whether this machine has a usable GPU now (the latest probe's answer, so a GPU that appears or
   * falls off the bus is noticed); tools with `requires_gpu` and NVENC encodes need one.
   */
  hasGpu: () => boolean;
  /** Between SIGTERM and SIGKILL when a run is stopped. */
  killGraceMs?: number;
  /** Lets typed jobs' `input_url` reach loopback and private addresses; off, so jobs cannot probe the miner's network. */
  allowPrivateInputUrls?: boolean;
  downloadTimeoutMs?: number;
  /** Bytes of stdout and stderr kept (the tail) for the result and for error messages. */
  tailBytes?: number;
  /** Where PATH comes from, for finding tools and helpers. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

interface Plan {
  tool: CliTool;
  argv: string[];
  outputs: string[];
  /** Why this run needs a GPU ("ffmpeg", "ffmpeg with hardware_acceleration"), or null. */
  needsGpu: string | null;
  /** Puts the job's input files in the workspace. */
  prepare(workspace: string, signal: AbortSignal): Promise<void>;
}

type ReadyPlan = Plan & { executable: string };

/**
 * Runs allow-listed command-line tools (DESIGN §4): `{type: "cli", tool, args, inputs?, outputs?}`
 * and the typed ffmpeg service. Every argument passes the tool's allow-list; the tool runs in the job's
 * workspace, niced, under a memory limit, in its own process group, with a minimal environment.
 */
export class CliRunner implements Runner {
  readonly name = 'cli';
  private readonly killGraceMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly tailBytes: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;
  private launchers: Promise<Launchers> | null = null;

  constructor(private readonly options: CliRunnerOptions) {
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 300_000;
    this.tailBytes = options.tailBytes ?? 16 * 1024;
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => performance.now());
  }

  accepts(payload: Record<string, unknown>): boolean {
    return isCliPayload(payload);
  }

  async run(context: RunContext): Promise<RunOutcome> {
    const started = this.now();
    const metrics = (): RunMetrics => ({ duration_ms: Math.round(this.now() - started) });
    try {
      return await this.execute(await this.preflight(context.payload), context, metrics);
    } catch (error) {
      return this.failed(error, metrics());
    }
  }

  /** Everything that can be refused before any file is written or process started. */
  private async preflight(payload: Record<string, unknown>): Promise<ReadyPlan> {
    const parsed = parseCliJob(payload);
    if (!parsed.ok) {
      throw new CliFailure('E_BAD_INPUT', parsed.message);
    }
    const plan = this.plan(parsed.value);
    if (plan.needsGpu !== null && !this.options.hasGpu()) {
      throw new CliFailure('E_NOGPU', `${plan.needsGpu} needs a GPU and this miner has none`);
    }
    const executable = await findExecutable(plan.tool.executable, this.env);
    if (executable === null) {
      throw new CliFailure('E_RUNTIME', `${plan.tool.name} is not installed on this miner`);
    }
    return { ...plan, executable };
  }

  private async execute(plan: ReadyPlan, context: RunContext, metrics: () => RunMetrics): Promise<RunOutcome> {
    const { tool } = plan;
    const timeoutMs = Math.min(context.timeoutMs, tool.maxRuntimeSeconds * 1000);
    const deadline = startRunDeadline(context.signal, timeoutMs);
    try {
      await plan.prepare(context.workspace, deadline.signal);
      const toolStarted = this.now();
      const exit = await this.spawn(plan, context.workspace, deadline.signal);
      const stopped = deadline.stopReason();
      if (stopped !== null) {
        return stoppedOutcome(stopped, tool.name, timeoutMs, metrics());
      }
      const failure = exitFailure(exit, tool);
      if (failure) {
        throw failure;
      }
      const seconds = Math.round(this.now() - toolStarted) / 1000;
      const outputs = await collectOutputs(context.workspace, plan.outputs, tool.maxOutputBytes, tool.name);
      return {
        ok: true,
        result: { exit_code: exit.exitCode, outputs, stdout_tail: exit.stdoutTail, stderr_tail: exit.stderrTail },
        // CPU work bills by duration; only a run that needed the GPU counts as GPU seconds.
        metrics: { ...metrics(), compute_time: seconds, ...(plan.needsGpu !== null ? { gpu_seconds: seconds } : {}) },
      };
    } catch (error) {
      const stopped = deadline.stopReason();
      if (stopped === null) {
        throw error;
      }
      return stoppedOutcome(stopped, tool.name, timeoutMs, metrics());
    } finally {
      deadline.dispose();
    }
  }

  private plan(job: CliJob): Plan {
    switch (job.kind) {
      case 'cli': {
        const tool = this.options.allowList.find((candidate) => candidate.name === job.tool);
        if (!tool) {
          throw new CliFailure(
            'E_DENY',
            `tool ${JSON.stringify(job.tool.slice(0, 60))} is not allow-listed on this miner`,
          );
        }
        return {
          tool,
          argv: this.allowedArgv(tool, job.args),
          outputs: job.outputs,
          needsGpu: tool.requiresGpu ? tool.name : null,
          prepare: (workspace) => writeInputs(workspace, job.inputs, tool.maxInputBytes),
        };
      }
      case 'ffmpeg': {
        const tool = this.options.allowList.find((candidate) => candidate.services.includes('ffmpeg'));
        if (!tool) {
          throw new CliFailure('E_DENY', 'no allow-listed tool offers the ffmpeg service on this miner');
        }
        const input = inputFileName(job.request.input_url);
        const output = outputFileName(job.request);
        return {
          tool,
          argv: this.allowedArgv(tool, ffmpegArgs(job.request, input, output)),
          outputs: [output],
          needsGpu: encodesWithNvenc(job.request)
            ? `${tool.name} with hardware_acceleration`
            : tool.requiresGpu
              ? tool.name
              : null,
          prepare: async (workspace, signal) => {
            await downloadInput(job.request.input_url, join(workspace, input), {
              maxBytes: tool.maxInputBytes,
              timeoutMs: this.downloadTimeoutMs,
              signal,
              allowPrivateAddresses: this.options.allowPrivateInputUrls ?? false,
            });
          },
        };
      }
    }
  }

  private allowedArgv(tool: CliTool, args: string[]): string[] {
    const check = checkArgs(tool, args);
    if (!check.ok) {
      throw new CliFailure('E_DENY', check.message);
    }
    return check.argv;
  }

  private async spawn(plan: ReadyPlan, workspace: string, signal: AbortSignal) {
    const { tool } = plan;
    const command = limitedCommand(
      plan.executable,
      plan.argv,
      { nice: tool.nice, memoryLimitMb: tool.memoryLimitMb, fileSizeLimitBytes: tool.maxOutputBytes },
      await this.findLaunchers(),
    );
    return runTool({
      command,
      cwd: workspace,
      // The miner's own environment holds its API key: a tool gets only what it needs.
      env: { PATH: this.env.PATH ?? '/usr/bin:/bin', HOME: workspace, TMPDIR: workspace, LANG: 'C.UTF-8' },
      nice: tool.nice,
      signal,
      killGraceMs: this.killGraceMs,
      tailBytes: this.tailBytes,
    });
  }

  private findLaunchers(): Promise<Launchers> {
    this.launchers ??= (async () => ({
      prlimit: await findExecutable('prlimit', this.env),
      nice: await findExecutable('nice', this.env),
      shell: (await findExecutable('sh', this.env)) ?? '/bin/sh',
    }))();
    return this.launchers;
  }

  private failed(error: unknown, metrics: RunMetrics): RunOutcome {
    if (error instanceof CliFailure) {
      return { ok: false, code: error.code, message: error.message, metrics };
    }
    return { ok: false, code: 'E_RUNTIME', message: shortMessage(`unexpected error: ${String(error)}`), metrics };
  }
}
