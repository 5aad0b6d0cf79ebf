import { mkdir, statfs } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { Logger } from '@nestjs/common';
import type { MachineReading } from './capabilities';
import { readNvidiaSmi } from './nvidia-smi';

/** Where the probe learns about models and tools; the runners own those details. */
export interface ProbeSources {
  /** Model names from Ollama's `/api/tags`, or null when Ollama cannot be reached. */
  ollamaModels(): Promise<string[] | null>;
  tools(): Promise<{ name: string; services: string[] }[]>;
}

/**
 * Reads the machine: CPU, memory, free disk under the workspace, NVIDIA GPUs, Ollama's models and
 * the allow-listed tools present. Each source failing degrades to "none", said once in the log.
 */
export class Probe {
  private readonly logger = new Logger('probe');
  private lastProblems = new Set<string>();

  constructor(
    private readonly options: { nvidiaSmi: string; workspaceDir: string; ollamaUrl: string },
    private readonly sources: ProbeSources,
  ) {}

  async read(): Promise<MachineReading> {
    const problems: string[] = [];
    const [nvidia, ollamaModels, tools, diskFreeMb] = await Promise.all([
      readNvidiaSmi(this.options.nvidiaSmi),
      this.sources.ollamaModels(),
      this.sources.tools(),
      this.diskFreeMb(),
    ]);
    if (nvidia.problem) {
      problems.push(nvidia.problem);
    }
    if (ollamaModels === null) {
      problems.push(`Ollama at ${this.options.ollamaUrl} is unreachable: no models will be advertised`);
    }
    this.report(problems);
    const cpuList = cpus();
    return {
      cpu: { cores: cpuList.length, model: cpuList[0]?.model.trim() || null },
      memoryMb: Math.floor(totalmem() / (1024 * 1024)),
      diskFreeMb,
      gpus: nvidia.gpus,
      cuda: nvidia.cuda,
      ollamaModels,
      tools,
    };
  }

  private async diskFreeMb(): Promise<number | null> {
    try {
      await mkdir(this.options.workspaceDir, { recursive: true });
      const stats = await statfs(this.options.workspaceDir);
      return Math.floor((Number(stats.bavail) * Number(stats.bsize)) / (1024 * 1024));
    } catch {
      return null;
    }
  }

  /** Logs a degraded source when it first appears and when it recovers, not on every probe. */
  private report(problems: string[]): void {
    const current = new Set(problems);
    for (const problem of current) {
      if (!this.lastProblems.has(problem)) {
        this.logger.warn(problem);
      }
    }
    for (const problem of this.lastProblems) {
      if (!current.has(problem)) {
        this.logger.log(`resolved: ${problem}`);
      }
    }
    this.lastProblems = current;
  }
}
