import request from 'supertest';
import { Api } from '../support/api';
import { runCli } from '../support/cli';
import { CoordinatorUnderTest, TEST_KEYS, bootCoordinator, testEnv } from '../support/coordinator';
import { MinerProcess, startMinerProcess } from '../support/miner-process';
import { expectedReply, OllamaStandIn, startOllamaStandIn } from '../support/ollama-stand-in';
import { clearDispatch, createTestPool } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const HEX32 = '[0-9a-f]{32}';
const PROMPT = 'What is machine learning?';
const MODEL = 'llama3.2:latest';

/**
 * The seed's whole path (001, steps 1–12) with every part real except the GPU: the `aitbc` CLI →
 * coordinator → miner daemon → Ollama stand-in → signed receipt → ledger, sealed and verified.
 */
describe("the seed's flow: CLI → coordinator → miner → Ollama → receipt → ledger", () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;
  let ollama: OllamaStandIn;
  let miner: MinerProcess;
  const pool = createTestPool(2);

  beforeAll(async () => {
    coordinator = await bootCoordinator(
      testEnv({ LOG_LEVEL: 'warn', MINER_HEARTBEAT_INTERVAL_SECONDS: '1', LEDGER_BLOCK_INTERVAL_MS: '200' }),
    );
    api = new Api(coordinator.url);
    await clearDispatch(pool);
    await pool.query("UPDATE miners SET status = 'OFFLINE'");
    await pool.query(`DELETE FROM ledger_accounts WHERE account_id IN ('client:alice', 'miner:rig-1/seed-rig')`);
    ollama = await startOllamaStandIn({ tokenDelayMs: 20 });
    miner = await startMinerProcess({
      coordinatorUrl: coordinator.url,
      ollamaUrl: ollama.url,
      minerId: 'seed-rig',
      env: { MINER_PRICE: '0.02' },
    });
  }, 60_000);

  afterAll(async () => {
    miner?.kill();
    await miner?.exited;
    await ollama?.close();
    await coordinator?.stop();
    await pool.end();
  });

  const account = async (id: string) =>
    (
      await api.http
        .get(`/v1/ledger/accounts/${encodeURIComponent(id)}`)
        .set('X-Api-Key', TEST_KEYS.admin)
        .expect(200)
    ).body as { balance: string };

  it('pays for a waited inference job with a verifiable receipt, settled on a chain that verifies', async () => {
    await api.http
      .post('/v1/admin/accounts/client%3Aalice/deposit')
      .set('X-Api-Key', TEST_KEYS.admin)
      .send({ amount: '10' })
      .expect(200);
    const env = { AITBC_URL: coordinator.url, CLIENT_KEY: TEST_KEYS.client };

    const run = await runCli(
      ['submit', 'inference', '--prompt', PROMPT, '--model', MODEL, '--payment', '1', '--wait'],
      env,
    );
    const answer = expectedReply('generate', { prompt: PROMPT, model: MODEL }).text;
    const escaped = answer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^Job ID: ${HEX32}\nStatus: completed\nResult: ${escaped}\nReceipt: ${HEX32}\n` +
          'Completed in: \\d+(\\.\\d)? seconds?\nCost: 0\\.\\d+ AITBC\n$',
      ),
    );
    const jobId = /^Job ID: (\w+)/.exec(run.stdout)![1];
    const cost = /\nCost: ([\d.]+) AITBC/.exec(run.stdout)![1];

    const verified = await runCli(['receipt', jobId, '--verify', '--json'], env);
    expect(verified.status).toBe(0);
    const receipt = JSON.parse(verified.stdout);
    expect(receipt).toMatchObject({ verification: { valid: true } });

    // money: the client paid exactly the receipt's price to the miner, the rest of the hold came back
    expect((await account('client:alice')).balance).toBe((10 - Number(cost)).toFixed(6).replace(/\.?0+$/, ''));
    expect((await account('miner:rig-1/seed-rig')).balance).toBe(cost);

    // the settlement is sealed into a block, and the whole chain re-hashes
    await waitFor(
      async () => {
        const res = await api.http.get(`/v1/jobs/${jobId}/receipt`).set('X-Api-Key', TEST_KEYS.client);
        return res.status === 200 && res.body.tx_hash ? res.body : null;
      },
      { message: 'a receipt with its settlement' },
    );
    const chain = await waitFor(
      async () => {
        const res = await api.http.get('/v1/ledger/verify');
        return res.body.valid === true && res.body.height !== null ? res.body : null;
      },
      { message: 'a sealed chain that verifies' },
    );
    expect(chain).toMatchObject({ valid: true, first_bad_height: null });

    // the miner's own view agrees
    const status = await waitFor(async () => {
      const s = await miner.status();
      return s.totals.completed === 1 ? s : null;
    });
    expect(status.totals.earnings).toBe(cost);
    const metrics = await request(miner.url).get('/metrics').expect(200);
    expect(metrics.text).toContain(`aitbc_miner_earnings_aitbc_total ${Number(cost)}\n`);
  }, 90_000);
});
