import { ollamaFailure } from './ollama-failure';
import { OllamaError } from './ollama.client';

describe('ollamaFailure', () => {
  it('maps a 404 for the model to E_MODEL_NOT_FOUND, naming the model and nothing else', () => {
    const error = new OllamaError('http', 'model "llama9" not found, try pulling it first', 404);
    expect(ollamaFailure(error, 'llama9')).toEqual({
      code: 'E_MODEL_NOT_FOUND',
      message: 'model "llama9" is not installed on this miner',
    });
  });

  it('does not take a 404 for a missing route (an old Ollama) as a missing model', () => {
    expect(ollamaFailure(new OllamaError('http', '404 page not found', 404), 'm')).toEqual({
      code: 'E_RUNTIME',
      message: 'Ollama failed (HTTP 404): 404 page not found',
    });
  });

  it.each([
    ['CUDA error: out of memory', 'E_OOM'],
    ['model requires more system memory (12.1 GiB) than is available (7.5 GiB)', 'E_OOM'],
    ['llama runner process has terminated: cudaMalloc failed: out of memory', 'E_OOM'],
    ['no CUDA-capable device is detected', 'E_NOGPU'],
    ['CUDA driver version is insufficient for CUDA runtime version', 'E_NOGPU'],
    ['llama runner process has terminated: exit status 2', 'E_RUNTIME'],
  ])('maps a 500 saying %j to %s', (message, code) => {
    expect(ollamaFailure(new OllamaError('http', message, 500), 'm').code).toBe(code);
  });

  it('classifies an error line in a started stream the same way', () => {
    expect(ollamaFailure(new OllamaError('stream', 'CUDA error: out of memory'), 'm')).toEqual({
      code: 'E_OOM',
      message: 'Ollama ran out of memory: CUDA error: out of memory',
    });
    expect(ollamaFailure(new OllamaError('stream', 'something broke'), 'm')).toEqual({
      code: 'E_RUNTIME',
      message: 'Ollama failed (mid-stream): something broke',
    });
  });

  it('maps a 400 to E_BAD_INPUT: the request came from the payload', () => {
    expect(ollamaFailure(new OllamaError('http', 'invalid options', 400), 'm').code).toBe('E_BAD_INPUT');
  });

  it('keeps "unreachable" retryable (E_RUNTIME) with its message', () => {
    const error = new OllamaError('unreachable', 'Ollama is unreachable at http://127.0.0.1:1 (ECONNREFUSED)');
    expect(ollamaFailure(error, 'm')).toEqual({ code: 'E_RUNTIME', message: error.message });
  });

  it('shortens long messages to one line', () => {
    const { message } = ollamaFailure(new OllamaError('http', `line one\n${'x'.repeat(1000)}`, 500), 'm');
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThanOrEqual(300);
  });
});
