import { llmVramGb } from './model-size';

describe('llmVramGb', () => {
  it.each([
    ['llama3.1:8b', 6.2],
    ['qwen2.5:72b', 47.8],
    ['mistral:7b-instruct', 5.6],
    ['deepseek-r1:1.5b', 2],
    ['gemma3:270m', 1.2],
    ['llama3.2:3b-instruct-q8_0', 4.3],
    ['llama3.1:8b-instruct-fp16', 17.4],
    ['llama3.1:70b-instruct-q2_K', 30.4],
    ['hf.co/org/model:7B', 5.6],
  ])('%s needs %d GB', (model, gb) => {
    expect(llmVramGb(model)).toBe(gb);
  });

  it.each(['llama3.2:latest', 'llama3.2', 'mixtral:8x7b', 'phi3:mini', 'qwen2.5:0b', 'model:b', 'x:latest-8'])(
    '%s names no parameter size: no minimum',
    (model) => {
      expect(llmVramGb(model)).toBeNull();
    },
  );
});
