import { startRunDeadline, stoppedOutcome } from '../run-deadline';
import type { RunContext, Runner, RunMetrics, RunOutcome } from '../runner';
import { ollamaFailure } from './ollama-failure';
import { isOllamaPayload, OllamaJob, parseOllamaPayload } from './ollama-payload';
import { OllamaChunk, OllamaClient, OllamaStats } from './ollama.client';

export interface OllamaRunnerOptions {
  /** Ollama's base URL, e.g. `http://127.0.0.1:11434`. */
  baseUrl: string;
  /** Generated text kept per job; past it the stream is stopped and the result marked `truncated`. */
  maxOutputChars?: number;
  /** Milliseconds from any fixed origin, for `duration_ms`. */
  now?: () => number;
}

interface Generated {
  output: string;
  stats: OllamaStats | null;
  truncated: boolean;
}

/** LLM inference and chat on the local Ollama (DESIGN §4), always streamed so it can stop at once. */
export class OllamaRunner implements Runner {
  readonly name = 'ollama';
  readonly client: OllamaClient;
  private readonly maxOutputChars: number;
  private readonly now: () => number;

  constructor(options: OllamaRunnerOptions) {
    this.client = new OllamaClient({ baseUrl: options.baseUrl });
    this.maxOutputChars = options.maxOutputChars ?? 1_000_000;
    this.now = options.now ?? (() => performance.now());
  }

  accepts(payload: Record<string, unknown>): boolean {
    return isOllamaPayload(payload);
  }

  async run(context: RunContext): Promise<RunOutcome> {
    const started = this.now();
    const elapsed = () => ({ duration_ms: Math.round(this.now() - started) });
    const parsed = parseOllamaPayload(context.payload);
    if (!parsed.ok) {
      return { ok: false, code: 'E_BAD_INPUT', message: parsed.message, metrics: elapsed() };
    }
    const job = parsed.value;
    const deadline = startRunDeadline(context.signal, context.timeoutMs);
    try {
      const generated = await this.consume(this.open(job, deadline.signal));
      const metrics = metricsOf(generated.stats, elapsed().duration_ms);
      return { ok: true, result: resultOf(job, generated), metrics };
    } catch (error) {
      const stopped = deadline.stopReason();
      if (stopped !== null) {
        return stoppedOutcome(stopped, `inference on ${job.request.model}`, deadline.timeoutMs, elapsed());
      }
      return { ok: false, ...ollamaFailure(error, job.request.model), metrics: elapsed() };
    } finally {
      deadline.dispose();
    }
  }

  private open(job: OllamaJob, signal: AbortSignal): AsyncGenerator<OllamaChunk> {
    switch (job.endpoint) {
      case 'generate':
        return this.client.generate(job.request, signal);
      case 'chat':
        return this.client.chat(job.request, signal);
    }
  }

  private async consume(chunks: AsyncGenerator<OllamaChunk>): Promise<Generated> {
    let output = '';
    for await (const chunk of chunks) {
      if (output.length + chunk.text.length > this.maxOutputChars) {
        // Leaving the loop closes the stream, so Ollama stops generating what nobody will read.
        return {
          output: output + chunk.text.slice(0, this.maxOutputChars - output.length),
          stats: null,
          truncated: true,
        };
      }
      output += chunk.text;
      if (chunk.done) {
        return { output, stats: chunk.stats, truncated: false };
      }
    }
    throw new Error('the stream ended without a final chunk');
  }
}

function resultOf(job: OllamaJob, generated: Generated): Record<string, unknown> {
  const result: Record<string, unknown> = {
    output: generated.output,
    model: job.request.model,
    done_reason: generated.stats?.done_reason ?? 'length',
  };
  if (job.endpoint === 'chat') {
    result.message = { role: 'assistant', content: generated.output };
  }
  if (generated.truncated) {
    result.truncated = true;
  }
  return result;
}

/** Ollama's own timing is what the GPU spent; without it (a truncated stream) the wall time stands in. */
export function metricsOf(stats: OllamaStats | null, durationMs: number): RunMetrics {
  if (stats === null) {
    const seconds = round(durationMs / 1000, 3);
    return { duration_ms: durationMs, compute_time: seconds, gpu_seconds: seconds };
  }
  const seconds = round(stats.total_duration / 1e9, 3);
  return {
    duration_ms: durationMs,
    compute_time: seconds,
    gpu_seconds: seconds,
    tokens_generated: stats.eval_count,
    prompt_tokens: stats.prompt_eval_count,
    tokens_per_second: stats.eval_duration > 0 ? round(stats.eval_count / (stats.eval_duration / 1e9), 2) : 0,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
