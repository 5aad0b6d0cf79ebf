import { join } from 'node:path';
import { type AllowList, loadAllowList, parseAllowListFile } from './runners/cli/allow-list';
import { CliRunner } from './runners/cli/cli.runner';
import type { RunContext, Runner } from './runners/runner';
import { toolServices, withTimeoutCap } from './runner-set';

describe('withTimeoutCap', () => {
  const seen: number[] = [];
  const runner: Runner = {
    name: 'ollama',
    accepts: (payload) => payload.type === 'inference',
    run: (context) => {
      seen.push(context.timeoutMs);
      return Promise.resolve({ ok: true, result: {}, metrics: { duration_ms: 1 } });
    },
  };
  const context = (timeoutMs: number): RunContext => ({
    jobId: 'a'.repeat(32),
    payload: { type: 'inference' },
    workspace: '/tmp',
    signal: new AbortController().signal,
    timeoutMs,
  });

  it('caps a longer timeout and keeps a shorter one, delegating everything else', async () => {
    const capped = withTimeoutCap(runner, 600_000);
    expect(capped.name).toBe('ollama');
    expect(capped.accepts({ type: 'inference' })).toBe(true);
    expect(capped.accepts({ type: 'cli' })).toBe(false);
    await capped.run(context(3_600_000));
    await capped.run(context(30_000));
    expect(seen).toEqual([600_000, 30_000]);
  });
});

describe('toolServices', () => {
  const tool = (name: string, services: string[]) =>
    parseAllowListFile(
      `${name}.yaml`,
      [
        `name: ${name}`,
        `executable: ${name}`,
        `services: [${services.join(', ')}]`,
        'max_runtime_seconds: 60',
        'max_output_bytes: 1048576',
        "args: ['{file}']",
      ].join('\n'),
    );
  const cli = (allowList: AllowList) => new CliRunner({ allowList, hasGpu: () => false });

  it('advertises the services whose typed jobs the CLI runner takes, and warns of the rest', () => {
    const ffmpeg = tool('ffmpeg', ['ffmpeg']);
    const whisper = tool('whisper', ['whisper', 'stable_diffusion']);
    const mixed = tool('mediatool', ['ffmpeg', 'blender']);
    const allowList = [ffmpeg, whisper, mixed];
    const { advertised, warnings } = toolServices(allowList, cli(allowList));
    expect([...advertised.entries()].map(([t, services]) => [t.name, services])).toEqual([
      ['ffmpeg', ['ffmpeg']],
      ['whisper', []],
      ['mediatool', ['ffmpeg']],
    ]);
    expect(warnings).toEqual([
      'allow-list whisper.yaml: tool "whisper" lists the service "whisper", but no runner on this miner runs typed ' +
        'whisper jobs: "whisper" is not advertised (the tool still runs {type: "cli"} jobs)',
      'allow-list whisper.yaml: tool "whisper" lists the service "stable_diffusion", but no runner on this miner ' +
        'runs typed stable_diffusion jobs: "stable_diffusion" is not advertised (the tool still runs {type: "cli"} jobs)',
      'allow-list mediatool.yaml: tool "mediatool" lists the service "blender", but no runner on this miner runs ' +
        'typed blender jobs: "blender" is not advertised (the tool still runs {type: "cli"} jobs)',
    ]);
  });

  it('does not let a tool advertise llm_inference, which only a reachable Ollama with models serves', () => {
    const allowList = [tool('llm', ['llm_inference'])];
    const { advertised, warnings } = toolServices(allowList, cli(allowList));
    expect(advertised.get(allowList[0])).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('lets the shipped ffmpeg allow-list advertise ffmpeg', async () => {
    const allowList = await loadAllowList(join(process.cwd(), 'apps/miner/allowlist.d'));
    const { advertised, warnings } = toolServices(allowList, cli(allowList));
    expect([...advertised.values()]).toEqual([['ffmpeg']]);
    expect(warnings).toEqual([]);
  });
});
