/**
 * GB of weights per billion parameters, by the quantisation a tag names. Ollama's plain size tags
 * (`llama3.1:8b`) are Q4_K_M: 8.0 B parameters are a 4.9 GB file.
 */
const GB_PER_BILLION: Record<string, number> = {
  q2: 0.42,
  q3: 0.52,
  q4: 0.65,
  q5: 0.75,
  q6: 0.85,
  q8: 1.1,
  fp16: 2.05,
  f16: 2.05,
  bf16: 2.05,
  fp32: 4.1,
  f32: 4.1,
};

/** Context (KV cache) and runtime overhead on top of the weights, in GB. */
const OVERHEAD_GB = 1;

/**
 * The VRAM an Ollama model needs, when its tag names a parameter count: `llama3.1:8b` → 6.2,
 * `mistral:7b-instruct` → 5.6, `qwen2.5:72b` → 47.8, `llama3.2:3b-instruct-q8_0` → 4.3. A tag that
 * names no size (`llama3.2:latest`, `mixtral:8x7b`) gives null: we do not guess, and the job then
 * goes to any miner that has the model. Rounded up to 0.1 GB, never to a card's nominal size (a
 * "24 GB" card reports 23.99 GB).
 */
export function llmVramGb(model: string): number | null {
  const colon = model.lastIndexOf(':');
  if (colon < 0) {
    return null;
  }
  const parts = model
    .slice(colon + 1)
    .toLowerCase()
    .split('-');
  const size = parts.map((part) => /^(\d+(?:\.\d+)?)([bm])$/.exec(part)).find((match) => match !== null);
  if (!size) {
    return null;
  }
  const billions = Number(size[1]) / (size[2] === 'm' ? 1000 : 1);
  if (!(billions > 0)) {
    return null;
  }
  const quant = parts.map((part) => /^(q\d|b?f(?:p)?(?:16|32))(?:_|$)/.exec(part)?.[1]).find(Boolean);
  const perBillion = GB_PER_BILLION[quant ?? 'q4'] ?? GB_PER_BILLION.q4;
  return Math.ceil((billions * perBillion + OVERHEAD_GB) * 10 - 1e-9) / 10;
}
