import { type JobConstraintsDto, toMicro, withModelTag } from '@aitbc/contracts';
import type { JobRequirements } from '../job.events';

/** "12.4" → 12004, so versions compare as integers (12.4 ≥ 11.8). */
export function cudaNumber(version: string): number {
  const [major, minor = '0'] = version.split('.');
  return Number(major) * 1000 + Number(minor);
}

/**
 * Normalises a job's constraints for matching in SQL. A `model` in the payload is a models
 * constraint too: a job for llama3.2:latest only goes to a miner that has llama3.2:latest. Model
 * names get Ollama's default tag (`llama3.2` is `llama3.2:latest`), as miners advertise them.
 */
export function jobRequirements(constraints: JobConstraintsDto, payload: Record<string, unknown>): JobRequirements {
  const models = new Set((constraints.models ?? []).map(withModelTag).filter((model) => model !== ''));
  if (typeof payload.model === 'string' && payload.model.trim() !== '') {
    models.add(withModelTag(payload.model));
  }
  return {
    models: [...models].sort(),
    services: [...new Set((constraints.services ?? []).map((s) => s.toLowerCase()))].sort(),
    gpu: constraints.gpu?.trim().toLowerCase() || null,
    min_vram_mb: constraints.min_vram_gb === undefined ? null : Math.ceil(constraints.min_vram_gb * 1024),
    min_cuda: constraints.cuda === undefined ? null : cudaNumber(constraints.cuda),
    region: constraints.region?.trim().toLowerCase() || null,
    max_price_micro: constraints.max_price === undefined ? null : toMicro(constraints.max_price),
  };
}
