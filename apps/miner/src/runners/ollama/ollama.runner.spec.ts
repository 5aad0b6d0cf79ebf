import { metricsOf } from './ollama.runner';

describe('Ollama metrics', () => {
  it("bills Ollama's total_duration as GPU seconds (the seed's 12.5 s job)", () => {
    expect(
      metricsOf(
        {
          done_reason: 'stop',
          total_duration: 12_500_000_000,
          load_duration: 1_000_000_000,
          prompt_eval_count: 15,
          prompt_eval_duration: 500_000_000,
          eval_count: 150,
          eval_duration: 10_000_000_000,
        },
        12_731,
      ),
    ).toEqual({
      duration_ms: 12_731,
      compute_time: 12.5,
      gpu_seconds: 12.5,
      tokens_generated: 150,
      prompt_tokens: 15,
      tokens_per_second: 15,
    });
  });

  it('falls back to wall time when the stream was cut before its final chunk', () => {
    expect(metricsOf(null, 1234)).toEqual({ duration_ms: 1234, compute_time: 1.234, gpu_seconds: 1.234 });
  });
});
