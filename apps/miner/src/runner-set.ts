import { Logger } from '@nestjs/common';
import type { MinerConfig } from './config';
import type { ProbeSources } from './probe/probe';
import { AllowListError, loadAllowList, presentTools, type AllowList, type CliTool } from './runners/cli/allow-list';
import { CliRunner } from './runners/cli/cli.runner';
import { OllamaRunner } from './runners/ollama/ollama.runner';
import type { Runner } from './runners/runner';

/** The runners this miner offers and what the probe asks them. */
export interface RunnerSet {
  runners: Runner[];
  sources: ProbeSources;
}

/** The runner with every run's timeout capped at `maxMs` (e.g. `ollama_timeout_seconds`), whatever the job allows. */
export function withTimeoutCap(runner: Runner, maxMs: number): Runner {
  return {
    name: runner.name,
    accepts: (payload) => runner.accepts(payload),
    run: (context) => runner.run({ ...context, timeoutMs: Math.min(context.timeoutMs, maxMs) }),
  };
}

/** What the allow-listed tools may advertise, and why the rest is not. */
export interface ToolServices {
  /** Each tool's services that a runner here takes typed jobs for. */
  advertised: ReadonlyMap<CliTool, readonly string[]>;
  /** One line per service a tool lists but no runner here serves, for the log. */
  warnings: string[];
}

/**
 * The services each tool may advertise: those whose typed payload `{service_type, service_request}`
 * the runner of allow-listed tools takes (today: ffmpeg). A tool listing another (whisper, say)
 * still runs as `{type: "cli"}` jobs, but advertising the service would bring typed jobs of that
 * service to this miner, which it could only fail.
 */
export function toolServices(allowList: AllowList, toolRunner: Pick<Runner, 'accepts'>): ToolServices {
  const advertised = new Map<CliTool, readonly string[]>();
  const warnings: string[] = [];
  for (const tool of allowList) {
    const served = tool.services.filter((service) =>
      toolRunner.accepts({ service_type: service, service_request: {} }),
    );
    advertised.set(tool, served);
    for (const service of tool.services.filter((listed) => !served.includes(listed))) {
      warnings.push(
        `allow-list ${tool.file}: tool "${tool.name}" lists the service "${service}", but no runner on this miner ` +
          `runs typed ${service} jobs: "${service}" is not advertised (the tool still runs {type: "cli"} jobs)`,
      );
    }
  }
  return { advertised, warnings };
}

/**
 * Builds the runners from the config: Ollama, and the CLI runner over the allow-list. A missing
 * allow-list directory means no CLI tools (said in the log); a malformed file stops the start. A
 * service a tool lists but no runner serves typed is not advertised, and said in the log.
 */
export async function createRunnerSet(config: MinerConfig, hasGpu: () => boolean): Promise<RunnerSet> {
  const logger = new Logger('runners');
  const ollama = new OllamaRunner({ baseUrl: config.ollamaUrl });
  let allowList: AllowList = [];
  try {
    allowList = await loadAllowList(config.allowListDir);
  } catch (error) {
    if (error instanceof AllowListError && /cannot be read \(ENOENT\)/.test(error.message)) {
      logger.warn(`no allow-list at ${config.allowListDir}: the CLI runner offers no tools`);
    } else {
      throw error;
    }
  }
  const cli = new CliRunner({
    allowList,
    hasGpu,
    allowPrivateInputUrls: config.allowPrivateInputUrls,
  });
  const { advertised, warnings } = toolServices(allowList, cli);
  for (const warning of warnings) {
    logger.warn(warning);
  }
  return {
    runners: [withTimeoutCap(ollama, config.ollamaTimeoutSeconds * 1000), cli],
    sources: {
      ollamaModels: () => ollama.client.tags(AbortSignal.timeout(5000)).catch(() => null),
      tools: async () =>
        (await presentTools(allowList)).map(({ tool }) => ({
          name: tool.name,
          services: [...(advertised.get(tool) ?? [])],
        })),
    },
  };
}
