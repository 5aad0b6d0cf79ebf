import type { CapabilitiesDto } from '@aitbc/contracts';
import type { GpuReading } from './nvidia-smi';

/** Everything the probe saw on this machine at one moment. */
export interface MachineReading {
  cpu: { cores: number; model: string | null };
  memoryMb: number;
  diskFreeMb: number | null;
  gpus: GpuReading[];
  cuda: string | null;
  /** Models the Ollama server has; null when it could not be reached. */
  ollamaModels: string[] | null;
  /** Allow-listed tools whose executable exists here, with the services each serves. */
  tools: { name: string; services: string[] }[];
}

/** The service a reachable Ollama with at least one model serves. */
export const OLLAMA_SERVICE = 'llm_inference';

/**
 * The capability shape of DESIGN §3 from a reading. Only services this miner's runners can really
 * serve are advertised, so the coordinator never hands it work it would have to refuse.
 */
export function toCapabilities(reading: MachineReading, price: string | null): CapabilitiesDto {
  const models = [...new Set(reading.ollamaModels ?? [])].sort();
  const services = new Set<string>(reading.tools.flatMap((tool) => tool.services));
  if (models.length > 0) {
    services.add(OLLAMA_SERVICE);
  }
  const capabilities: CapabilitiesDto = {
    gpus: reading.gpus.map((gpu) => ({
      name: gpu.name,
      vendor: 'nvidia',
      memory_mb: gpu.memory_total_mb,
      ...(gpu.uuid ? { uuid: gpu.uuid } : {}),
    })),
    models,
    services: [...services].sort(),
    unit_type: 'gpu_seconds',
    cpu: { cores: Math.max(1, reading.cpu.cores), ...(reading.cpu.model ? { model: reading.cpu.model } : {}) },
    memory_mb: reading.memoryMb,
  };
  if (reading.cuda) {
    capabilities.cuda = reading.cuda;
  }
  if (price) {
    capabilities.price = price;
  }
  if (reading.diskFreeMb !== null) {
    // whole GiB: free space moves all the time, and every change of capabilities is a re-registration
    capabilities.disk_free_mb = Math.floor(reading.diskFreeMb / 1024) * 1024;
  }
  return capabilities;
}
