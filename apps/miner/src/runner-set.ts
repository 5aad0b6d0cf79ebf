import type { MinerConfig } from './config';
import type { ProbeSources } from './probe/probe';
import type { Runner } from './runners/runner';

/** The runners this miner offers and what the probe asks them. */
export interface RunnerSet {
  runners: Runner[];
  sources: ProbeSources;
}

export function createRunnerSet(config: MinerConfig): Promise<RunnerSet> {
  return Promise.resolve({
    runners: [],
    sources: {
      ollamaModels: async () => {
        try {
          const res = await fetch(`${config.ollamaUrl}/api/tags`, { signal: AbortSignal.timeout(5000) });
          const body = (await res.json()) as { models?: { name: string }[] };
          return (body.models ?? []).map((m) => m.name);
        } catch {
          return null;
        }
      },
      tools: () => Promise.resolve([]),
    },
  });
}
