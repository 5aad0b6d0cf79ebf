import { withModelTag } from './model-names';

describe('withModelTag', () => {
  it.each([
    ['llama3.2', 'llama3.2:latest'],
    [' llama3.2 ', 'llama3.2:latest'],
    ['llama3.2:latest', 'llama3.2:latest'],
    ['llama3.1:8b', 'llama3.1:8b'],
    ['Mistral:7B', 'Mistral:7B'],
    ['library/qwen2.5', 'library/qwen2.5:latest'],
    ['hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M', 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M'],
    ['registry.local:5000/team/model', 'registry.local:5000/team/model:latest'],
    ['registry.local:5000/team/model:v2', 'registry.local:5000/team/model:v2'],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (name, expected) => {
    expect(withModelTag(name)).toBe(expected);
  });
});
