import { minerMatchFields } from './miners.projector';

describe('minerMatchFields', () => {
  it('normalises capabilities the way job requirements are normalised', () => {
    expect(
      minerMatchFields({
        gpus: [
          { name: 'NVIDIA GeForce RTX 4060 Ti', vendor: 'NVIDIA', memory_mb: 16380 },
          { name: ' NVIDIA RTX A6000 ', vendor: 'nvidia', memory_mb: 49140 },
        ],
        cuda: '12.4',
        models: ['llama3.2:latest', 'Mistral:7B', 'phi3'],
        services: ['LLM_Inference', 'llm_inference', 'ffmpeg'],
        price: '0.02',
      }),
    ).toEqual({
      gpu_names: ['nvidia', 'nvidia geforce rtx 4060 ti', 'nvidia rtx a6000'],
      max_vram_mb: 49140,
      cuda: 12004,
      models: ['llama3.2:latest', 'Mistral:7B', 'phi3:latest'],
      services: ['ffmpeg', 'llm_inference'],
      price_micro: 20_000,
    });
  });

  it('leaves what a GPU-less miner lacks empty, and prices it at zero', () => {
    expect(minerMatchFields({ gpus: [], models: [], services: ['ffmpeg'] })).toEqual({
      gpu_names: [],
      max_vram_mb: null,
      cuda: null,
      models: [],
      services: ['ffmpeg'],
      price_micro: 0,
    });
  });
});
