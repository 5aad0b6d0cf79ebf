import { shortMessage } from '../run-deadline';
import type { MinerFailCode } from '../runner';
import { OllamaError } from './ollama.client';

export interface OllamaFailure {
  code: MinerFailCode;
  message: string;
}

// What llama.cpp, CUDA and Ollama's scheduler say when the model does not fit.
const OUT_OF_MEMORY =
  /out of memory|\bOOM\b|cudaMalloc failed|failed to allocate|unable to allocate|requires more system memory|insufficient memory|memory exhausted/i;
const NO_GPU =
  /no (?:cuda|nvidia|compatible)?[ -]?gpus? (?:found|detected|available)|cuda (?:is )?(?:not available|unavailable)|no cuda-capable device|cuda driver version is insufficient|no gpu/i;

/** Maps what went wrong talking to Ollama onto the miner's failure codes (DESIGN §3); messages stay one short line. */
export function ollamaFailure(error: unknown, model: string): OllamaFailure {
  const { code, message } = classify(error, model);
  return { code, message: shortMessage(message) };
}

function classify(error: unknown, model: string): OllamaFailure {
  if (!(error instanceof OllamaError)) {
    return { code: 'E_RUNTIME', message: `unexpected error: ${String(error)}` };
  }
  if (error.kind === 'unreachable' || error.kind === 'protocol') {
    return { code: 'E_RUNTIME', message: error.message };
  }
  // Ollama answers 404 both for a model it lacks and (old versions) for a route it lacks.
  if (error.status === 404 && /model/i.test(error.message) && /not found/i.test(error.message)) {
    return { code: 'E_MODEL_NOT_FOUND', message: `model ${JSON.stringify(model)} is not installed on this miner` };
  }
  if (OUT_OF_MEMORY.test(error.message)) {
    return { code: 'E_OOM', message: `Ollama ran out of memory: ${error.message}` };
  }
  if (NO_GPU.test(error.message)) {
    return { code: 'E_NOGPU', message: `Ollama has no usable GPU: ${error.message}` };
  }
  if (error.status === 400) {
    return { code: 'E_BAD_INPUT', message: `Ollama refused the request: ${error.message}` };
  }
  const where = error.status === null ? 'mid-stream' : `HTTP ${error.status}`;
  return { code: 'E_RUNTIME', message: `Ollama failed (${where}): ${error.message}` };
}
