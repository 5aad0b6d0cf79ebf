import { Logger } from '@nestjs/common';
import type { MinerConfig } from './config';
import { readNvidiaSmi } from './probe/nvidia-smi';
import type { ProbeSources } from './probe/probe';
import { AllowListError, loadAllowList, presentTools, type AllowList } from './runners/cli/allow-list';
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

/**
 * Builds the runners from the config: Ollama, and the CLI runner over the allow-list. A missing
 * allow-list directory means no CLI tools (said in the log); a malformed file stops the start.
 */
export async function createRunnerSet(config: MinerConfig): Promise<RunnerSet> {
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
  const { gpus } = await readNvidiaSmi(config.nvidiaSmi);
  const cli = new CliRunner({
    allowList,
    hasGpu: gpus.length > 0,
    allowPrivateInputUrls: config.allowPrivateInputUrls,
  });
  return {
    runners: [withTimeoutCap(ollama, config.ollamaTimeoutSeconds * 1000), cli],
    sources: {
      ollamaModels: () => ollama.client.tags(AbortSignal.timeout(5000)).catch(() => null),
      tools: async () =>
        (await presentTools(allowList)).map(({ tool }) => ({ name: tool.name, services: [...tool.services] })),
    },
  };
}
