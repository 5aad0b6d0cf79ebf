import { cudaNumber, jobRequirements } from './job-requirements';

describe('jobRequirements', () => {
  it('normalises constraints and adds the payload model', () => {
    expect(
      jobRequirements(
        {
          gpu: ' NVIDIA ',
          min_vram_gb: 7.5,
          cuda: '11.8',
          models: ['mistral:7b'],
          services: ['LLM_Inference', 'llm_inference'],
          region: 'EU-West',
          max_price: '0.05',
        },
        { type: 'inference', model: 'llama3.2:latest', prompt: 'hi' },
      ),
    ).toEqual({
      models: ['llama3.2:latest', 'mistral:7b'],
      services: ['llm_inference'],
      gpu: 'nvidia',
      min_vram_mb: 7680,
      min_cuda: 11008,
      region: 'eu-west',
      max_price_micro: 50_000,
    });
  });

  it("tags tagless model names as Ollama does, in constraints and in the payload's model", () => {
    expect(
      jobRequirements(
        { models: ['mistral', ' phi3 ', 'llama3.2:latest', ''] },
        { type: 'inference', model: 'llama3.2' },
      ).models,
    ).toEqual(['llama3.2:latest', 'mistral:latest', 'phi3:latest']);
    expect(jobRequirements({}, { type: 'chat', model: 'registry.local:5000/team/model' }).models).toEqual([
      'registry.local:5000/team/model:latest',
    ]);
  });

  it('leaves unconstrained fields null', () => {
    expect(jobRequirements({}, { prompt: 'x' })).toEqual({
      models: [],
      services: [],
      gpu: null,
      min_vram_mb: null,
      min_cuda: null,
      region: null,
      max_price_micro: null,
    });
  });

  it('orders CUDA versions numerically', () => {
    expect(cudaNumber('12.4')).toBeGreaterThan(cudaNumber('11.8'));
    expect(cudaNumber('12.10')).toBeGreaterThan(cudaNumber('12.4'));
    expect(cudaNumber('12')).toBe(12000);
  });
});
