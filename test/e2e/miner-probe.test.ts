import request from 'supertest';
import { minerSuite } from '../support/miner-suite';
import { expectedReply } from '../support/ollama-stand-in';
import { waitFor } from '../support/wait-for';

/** A JSON body, as loosely typed as the wire. */
type Json = ReturnType<typeof JSON.parse>;

/**
 * What the miner daemon probes and registers, read back from the coordinator's own records: a
 * machine without nvidia-smi, and a model that appears in Ollama while the miner runs.
 */
describe('miner daemon (process): probe and re-probe, as the coordinator sees them', () => {
  const suite = minerSuite({ LOG_LEVEL: 'warn', MINER_HEARTBEAT_INTERVAL_SECONDS: '1', MINER_LEASE_TTL_SECONDS: '3' });
  const { pool } = suite;

  const registered = async (minerId: string) =>
    (
      await pool.query<{ capabilities: Json; gpu_names: string[]; max_vram_mb: number | null; cuda: number | null }>(
        'SELECT capabilities, gpu_names, max_vram_mb, cuda FROM miners WHERE miner_id = $1',
        [minerId],
      )
    ).rows;
  const startMiner = (minerId: string, env: Record<string, string>) => suite.startMiner({ minerId, env });

  it('without nvidia-smi: registers no GPUs, and says so in its log', async () => {
    const miner = await startMiner('no-gpu', { NVIDIA_SMI: '/nonexistent/nvidia-smi' });
    await waitFor(() => /registered as rig-1\/no-gpu: 0 GPU\(s\)/.test(miner.output()), {
      message: 'the registration logged',
    });
    expect(miner.output()).toContain('/nonexistent/nvidia-smi not found: no NVIDIA GPUs will be advertised');

    expect(await registered('rig-1/no-gpu')).toEqual([
      {
        capabilities: {
          gpus: [],
          models: ['llama3.2:latest', 'qwen2.5:0.5b'],
          services: ['ffmpeg', 'llm_inference'],
          unit_type: 'gpu_seconds',
          cpu: { cores: expect.any(Number), model: expect.any(String) },
          memory_mb: expect.any(Number),
          disk_free_mb: expect.any(Number),
        },
        gpu_names: [],
        max_vram_mb: null,
        cuda: null,
      },
    ]);
    expect((await miner.status()).capabilities?.gpus).toEqual([]);
    const metrics = await request(miner.url).get('/metrics').expect(200);
    expect(metrics.text).not.toContain('aitbc_miner_gpu_utilization_ratio{');
  }, 60_000);

  it('re-probes periodically: a model Ollama gains after the start is registered, and served, without a restart', async () => {
    const miner = await startMiner('reprobe', { MINER_PROBE_INTERVAL_SECONDS: '5' });
    const before = await registered('rig-1/reprobe');
    expect(before.map((row) => row.capabilities.models)).toEqual([['llama3.2:latest', 'qwen2.5:0.5b']]);

    suite.ollama.models.push({ ...suite.ollama.models[0], name: 'mistral:7b' });
    const after = await waitFor(
      async () => {
        const rows = await registered('rig-1/reprobe');
        return rows[0]?.capabilities.models.includes('mistral:7b') ? rows : null;
      },
      { timeoutMs: 20_000, message: 'the new model registered' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${miner.output()}`);
    });
    expect(after[0].capabilities.models).toEqual(['llama3.2:latest', 'mistral:7b', 'qwen2.5:0.5b']);
    expect(miner.output()).toContain('capabilities changed: registering again');
    expect(miner.child.exitCode).toBeNull();

    // and the coordinator now hands it work for that model
    const jobId = await suite.api.submitOk({ type: 'inference', prompt: 'hello there', model: 'mistral:7b' });
    const done = await waitFor(
      async () => {
        const view: Json = (await suite.api.job(jobId).expect(200)).body;
        return ['COMPLETED', 'FAILED'].includes(view.state as string) ? view : null;
      },
      { timeoutMs: 20_000, message: 'the mistral job done' },
    );
    expect(done).toMatchObject({ state: 'COMPLETED', assigned_miner_id: 'rig-1/reprobe' });
    expect(done.result.output).toBe(expectedReply('generate', { prompt: 'hello there', model: 'mistral:7b' }).text);
  }, 60_000);
});
