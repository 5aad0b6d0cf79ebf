import { toCapabilities, type MachineReading } from './capabilities';

const reading: MachineReading = {
  cpu: { cores: 16, model: 'AMD Ryzen 9 7950X' },
  memoryMb: 65536,
  diskFreeMb: 512000,
  gpus: [
    {
      name: 'NVIDIA GeForce RTX 4060 Ti',
      uuid: 'GPU-1',
      memory_total_mb: 16380,
      memory_free_mb: 15000,
      utilization_percent: 3,
      driver_version: '550.54.14',
    },
  ],
  cuda: '12.4',
  ollamaModels: ['mistral:7b', 'llama3.2:latest', 'mistral:7b'],
  tools: [{ name: 'ffmpeg', services: ['ffmpeg'] }],
};

describe('toCapabilities', () => {
  it('advertises what the runners can serve', () => {
    expect(toCapabilities(reading, '0.02')).toEqual({
      gpus: [{ name: 'NVIDIA GeForce RTX 4060 Ti', vendor: 'nvidia', memory_mb: 16380, uuid: 'GPU-1' }],
      cuda: '12.4',
      models: ['llama3.2:latest', 'mistral:7b'],
      services: ['ffmpeg', 'llm_inference'],
      price: '0.02',
      unit_type: 'gpu_seconds',
      cpu: { cores: 16, model: 'AMD Ryzen 9 7950X' },
      memory_mb: 65536,
      disk_free_mb: 512000,
    });
  });

  it('reports free disk in whole GiB, so the churn of free space does not re-register the miner', () => {
    expect(toCapabilities({ ...reading, diskFreeMb: 80_630 }, null).disk_free_mb).toBe(79_872);
    expect(toCapabilities({ ...reading, diskFreeMb: 80_100 }, null).disk_free_mb).toBe(79_872);
  });

  it('offers no LLM service when Ollama is unreachable or has no models', () => {
    for (const ollamaModels of [null, []]) {
      const capabilities = toCapabilities({ ...reading, ollamaModels, tools: [], gpus: [], cuda: null }, null);
      expect(capabilities).toEqual({
        gpus: [],
        models: [],
        services: [],
        unit_type: 'gpu_seconds',
        cpu: { cores: 16, model: 'AMD Ryzen 9 7950X' },
        memory_mb: 65536,
        disk_free_mb: 512000,
      });
    }
  });
});
