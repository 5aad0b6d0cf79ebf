import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllowList, checkArgs, loadAllowList, presentTools } from '../../apps/miner/src/runners/cli/allow-list';
import { CliRunner } from '../../apps/miner/src/runners/cli/cli.runner';
import { FFMPEG_CONTAINERS, FFMPEG_FORMATS } from '@aitbc/contracts';
import { ffmpegArgs, parseFfmpegRequest } from '../../apps/miner/src/runners/cli/ffmpeg-request';
import type { OutputFile } from '../../apps/miner/src/runners/cli/workspace-files';
import type { RunContext, RunOutcome } from '../../apps/miner/src/runners/runner';
import { waitFor } from '../support/wait-for';

const SHIPPED = join(process.cwd(), 'apps', 'miner', 'allowlist.d');

/** Processes (not zombies) whose working directory is inside `dir`: what a stopped run must not leave. */
async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const cwd = await readlink(`/proc/${entry}/cwd`);
      const state = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(') ')[1]?.[0];
      if (cwd.startsWith(dir) && state !== 'Z') {
        found.push(Number(entry));
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function alive(pid: number): Promise<boolean> {
  try {
    return !(await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

function probe(file: string): { codec: string; width?: number; height?: number }[] {
  const output = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file],
    {
      encoding: 'utf8',
    },
  );
  return (JSON.parse(output) as { streams: { codec_name: string; width?: number; height?: number }[] }).streams.map(
    ({ codec_name, width, height }) => ({ codec: codec_name, ...(width ? { width, height } : {}) }),
  );
}

describe('CliRunner with the real ffmpeg', () => {
  let root: string;
  let clip: Buffer;
  let shipped: AllowList;
  let testTools: AllowList;
  let server: Server;
  let baseUrl: string;
  const served = new Map<string, Buffer>();
  let workspace: string;

  const context = (payload: Record<string, unknown>, fields: Partial<RunContext> = {}): RunContext => ({
    jobId: 'job-1',
    payload,
    workspace,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    ...fields,
  });
  const shippedRunner = (fields: { allowPrivateInputUrls?: boolean } = {}) =>
    new CliRunner({ allowList: shipped, hasGpu: () => false, allowPrivateInputUrls: true, ...fields });
  const testRunner = (fields: { hasGpu?: () => boolean; env?: NodeJS.ProcessEnv } = {}) =>
    new CliRunner({ allowList: testTools, hasGpu: () => false, killGraceMs: 300, ...fields });

  /** Writes a successful run's first output next to the workspace and describes its streams. */
  const probeFirstOutput = async (outcome: RunOutcome) => {
    const [output] = (outcome as Extract<RunOutcome, { ok: true }>).result.outputs as OutputFile[];
    const file = join(root, output.name);
    await writeFile(file, Buffer.from(output.content_base64, 'base64'));
    return probe(file);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aitbc-cli-runner-'));
    // A one-second clip made by ffmpeg itself, so the test needs no binary fixture.
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=160x120:r=10', '-f', 'lavfi', '-i', 'sine=d=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', join(root, 'clip.mp4')],
    ]);
    clip = await readFile(join(root, 'clip.mp4'));
    shipped = await loadAllowList(SHIPPED);

    const script = join(root, 'stubborn.sh');
    // Ignores SIGTERM (as does the child it starts), so only the group SIGKILL ends them.
    await writeFile(script, 'trap "" TERM\nsleep "$1" &\necho $! > child.pid\necho $$ > parent.pid\nwait\n');
    const tools = join(root, 'allowlist.d');
    execFileSync('mkdir', [tools]);
    const files: Record<string, string> = {
      'stubborn.yaml': `name: stubborn\nexecutable: /bin/sh\nservices: [test]\nfixed_args: ['${script}']\nargs: ['{int}']\n`,
      'slow-ffmpeg.yaml': [
        'name: slow-ffmpeg\nexecutable: ffmpeg\nservices: [test]',
        "fixed_args: ['-hide_banner', '-nostdin', '-nostats']",
        "args: ['-re|-y', {pattern: '-stream_loop', value: '-1'}, {pattern: '-i', value: '{file}'}, {pattern: '-c', value: copy}, '{file}']",
      ].join('\n'),
      'alloc.yaml': `name: alloc\nexecutable: sh\nservices: [test]\nmemory_limit_mb: 64\nfixed_args: ['-c', 'head -c 300000000 /dev/zero | tail -n 1 > /dev/null']\nargs: []\n`,
      'writer.yaml': `name: writer\nexecutable: sh\nservices: [test]\nmax_output_bytes: 1000\nfixed_args: ['-c', 'head -c 600 /dev/zero > a.bin && head -c 600 /dev/zero > b.bin']\nargs: []\n`,
      'small-ffmpeg.yaml': `name: small-ffmpeg\nexecutable: ffmpeg\nservices: [test]\nmax_output_bytes: 2000\nargs: ['-y', {pattern: '-i', value: '{file}'}, '{file}']\n`,
      'gpu-tool.yaml': `name: gpu-tool\nexecutable: /bin/true\nservices: [test]\nrequires_gpu: true\nargs: []\n`,
      'env.yaml': `name: env\nexecutable: env\nservices: [test]\nargs: []\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      await writeFile(join(tools, name), text);
    }
    testTools = await loadAllowList(tools);

    server = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      if (body) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    served.set('/clip.mp4', clip);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(async () => {
    workspace = await mkdtemp(join(root, 'job-'));
  });

  describe('the shipped allow-list', () => {
    it("loads, and finds Debian's ffmpeg on this machine", async () => {
      expect(shipped.map((tool) => tool.name)).toEqual(['ffmpeg']);
      const present = await presentTools(shipped);
      expect(present.map(({ tool, path }) => [tool.services, path])).toEqual([[['ffmpeg'], '/usr/bin/ffmpeg']]);
    });

    it('admits the argv of every request the coordinator can send', () => {
      const extras = {
        crf: 30,
        preset: 'fast',
        resolution: '640x360',
        fps: 30,
        video_bitrate: '1M',
        audio_bitrate: '96k',
      };
      let checked = 0;
      for (const output_format of FFMPEG_FORMATS) {
        const { video, audio } = FFMPEG_CONTAINERS[output_format];
        for (const video_codec of video ?? ['h264' as const]) {
          for (const audio_codec of audio) {
            for (const hardware_acceleration of video_codec === 'vp9' ? [false] : [false, true]) {
              const request = {
                input_url: 'https://x/a.mp4',
                output_format,
                video_codec,
                audio_codec,
                hardware_acceleration,
              };
              const parsed = parseFfmpegRequest({ ...request, ...extras });
              const argv = parsed.ok ? ffmpegArgs(parsed.value, 'input.mp4', `output.${output_format}`) : [];
              expect({ request, check: checkArgs(shipped[0], argv).ok }).toEqual({ request, check: true });
              checked += 1;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(60);
    });

    it.each([
      [['-f', 'lavfi', '-i', 'testsrc', 'out.mp4']],
      [['-i', '/etc/passwd', 'out.mp4']],
      [['-i', '../clip.mp4', 'out.mp4']],
      [['-i', 'concat:clip.mp4', 'out.mp4']],
      [['-i', 'file:clip.mp4', 'out.mp4']],
      [['-i', 'https://example.com/x.mp4', 'out.mp4']],
      [['-i', 'clip.mp4', '-vf', 'movie=clip.mp4', 'out.mp4']],
      [['-i', 'clip.mp4', '-filter_complex', 'amovie=x', 'out.mp4']],
      [['-i', 'clip.mp4', '-f', 'tee', 'a.mp4|b.mp4']],
      [['-i', 'clip.mp4', '-f', 'hls', 'out.m3u8']],
      [['-i', 'clip.mp4', 'out.mp4;', 'touch', 'pwned']],
      [['-i', 'clip.mp4', '$(touch pwned).mp4']],
    ])('refuses %j', (args) => {
      expect(checkArgs(shipped[0], args).ok).toBe(false);
    });
  });

  it('transcodes an inline input with a cli job and returns the output', async () => {
    const outcome = await shippedRunner().run(
      context({
        type: 'cli',
        tool: 'ffmpeg',
        args: [
          '-y',
          '-i',
          'clip.mp4',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-s',
          '80x60',
          '-c:a',
          'aac',
          'out.mp4',
        ],
        inputs: { 'clip.mp4': clip.toString('base64') },
        outputs: ['out.mp4'],
      }),
    );
    expect(outcome).toEqual({
      ok: true,
      result: {
        exit_code: 0,
        outputs: [
          {
            name: 'out.mp4',
            size_bytes: expect.any(Number),
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
            content_base64: expect.any(String),
          },
        ],
        stdout_tail: '',
        stderr_tail: expect.any(String),
      },
      metrics: { duration_ms: expect.any(Number), compute_time: expect.any(Number) },
    });
    const [output] = (outcome as Extract<RunOutcome, { ok: true }>).result.outputs as OutputFile[];
    const bytes = Buffer.from(output.content_base64, 'base64');
    expect(bytes.length).toBe(output.size_bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(output.sha256);
    await expect(probeFirstOutput(outcome)).resolves.toEqual([
      { codec: 'h264', width: 80, height: 60 },
      { codec: 'aac' },
    ]);
  });

  it('runs a typed ffmpeg job, downloading input_url into the workspace', async () => {
    const outcome = await shippedRunner().run(
      context({
        service_type: 'ffmpeg',
        service_request: {
          input_url: `${baseUrl}/clip.mp4`,
          output_format: 'webm',
          video_codec: 'vp9',
          audio_codec: 'opus',
          resolution: '96x72',
          crf: 40,
          preset: 'ultrafast',
        },
      }),
    );
    expect(outcome).toMatchObject({ ok: true, result: { exit_code: 0, outputs: [{ name: 'output.webm' }] } });
    await expect(probeFirstOutput(outcome)).resolves.toEqual([
      { codec: 'vp9', width: 96, height: 72 },
      { codec: 'opus' },
    ]);
    expect(existsSync(join(workspace, 'input.mp4'))).toBe(true);
  });

  it('runs the request exactly as the coordinator sends it for an audio format', async () => {
    const outcome = await shippedRunner().run(
      context({
        service_type: 'ffmpeg',
        service_request: {
          input_url: `${baseUrl}/clip.mp4`,
          output_format: 'mp3',
          video_codec: 'h264',
          audio_codec: 'mp3',
          crf: 23,
          preset: 'medium',
          hardware_acceleration: false,
        },
      }),
    );
    expect(outcome).toMatchObject({ ok: true, result: { outputs: [{ name: 'output.mp3' }] } });
    await expect(probeFirstOutput(outcome)).resolves.toEqual([{ codec: 'mp3' }]);
  });

  it('needs a GPU for hardware_acceleration (E_NOGPU), before downloading anything', async () => {
    const outcome = await shippedRunner().run(
      context({
        service_type: 'ffmpeg',
        service_request: { input_url: `${baseUrl}/clip.mp4`, output_format: 'mp4', hardware_acceleration: true },
      }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'E_NOGPU',
      message: 'ffmpeg with hardware_acceleration needs a GPU and this miner has none',
    });
    expect(await readdir(workspace)).toEqual([]);
  });

  it('refuses an input_url on a private address unless allowed', async () => {
    const outcome = await shippedRunner({ allowPrivateInputUrls: false }).run(
      context({ service_type: 'ffmpeg', service_request: { input_url: `${baseUrl}/clip.mp4`, output_format: 'mp3' } }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'E_BAD_INPUT',
      message: 'input_url host 127.0.0.1 is a private or loopback address',
    });
  });

  it('fails an input_url that answers 404 with E_BAD_INPUT, naming the host only', async () => {
    const outcome = await shippedRunner().run(
      context({
        service_type: 'ffmpeg',
        service_request: { input_url: `${baseUrl}/missing.mp4?token=secret`, output_format: 'mp3' },
      }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'E_BAD_INPUT',
      message: `input_url at ${new URL(baseUrl).host} answered HTTP 404`,
    });
  });

  it('does not let an input that is really a playlist make ffmpeg read other files', async () => {
    const secret = join(root, 'clip.mp4');
    served.set(
      '/playlist.mp4',
      Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${secret}\n#EXT-X-ENDLIST\n`),
    );
    const outcome = await shippedRunner().run(
      context({
        service_type: 'ffmpeg',
        service_request: { input_url: `${baseUrl}/playlist.mp4`, output_format: 'wav' },
      }),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'E_BAD_INPUT' });
    expect(outcome.ok || outcome.message).toMatch(/^ffmpeg could not read its input: .*Format not on whitelist/);
  });

  it('fails an input that is not media with E_BAD_INPUT', async () => {
    const outcome = await shippedRunner().run(
      context({
        type: 'cli',
        tool: 'ffmpeg',
        args: ['-i', 'junk.bin', 'out.wav'],
        inputs: { 'junk.bin': Buffer.from('this is not a video at all').toString('base64') },
        outputs: ['out.wav'],
      }),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'E_BAD_INPUT' });
    expect(outcome.ok || outcome.message).toMatch(
      /^ffmpeg could not read its input: junk\.bin: Invalid data found when processing input/,
    );
  });

  it('denies a tool that is not allow-listed, and a refused argument, before running anything', async () => {
    await expect(shippedRunner().run(context({ type: 'cli', tool: 'bash', args: ['-c', 'id'] }))).resolves.toEqual({
      ok: false,
      code: 'E_DENY',
      message: 'tool "bash" is not allow-listed on this miner',
      metrics: { duration_ms: expect.any(Number) },
    });
    await expect(
      shippedRunner().run(
        context({ type: 'cli', tool: 'ffmpeg', args: ['-f', 'lavfi', '-i', 'movie=/etc/passwd', 'out.mp4'] }),
      ),
    ).resolves.toMatchObject({
      ok: false,
      code: 'E_DENY',
      message: 'argument 2 ("lavfi") is not an allowed value of "-f" for ffmpeg',
    });
    expect(await readdir(workspace)).toEqual([]);
  });

  it('times out a slow ffmpeg with E_TIMEOUT and leaves no process behind', async () => {
    await writeFile(join(workspace, 'clip.mp4'), clip);
    const outcome = await testRunner().run(
      context(
        {
          type: 'cli',
          tool: 'slow-ffmpeg',
          args: ['-y', '-re', '-stream_loop', '-1', '-i', 'clip.mp4', '-c', 'copy', 'out.mkv'],
        },
        { timeoutMs: 1500 },
      ),
    );
    expect(outcome).toEqual({
      ok: false,
      code: 'E_TIMEOUT',
      message: 'slow-ffmpeg did not finish within 1.5 s',
      metrics: { duration_ms: expect.any(Number) },
    });
    expect(await processesIn(workspace)).toEqual([]);
  });

  it('kills the whole process group, with SIGKILL when SIGTERM is ignored', async () => {
    const outcome = await testRunner().run(
      context({ type: 'cli', tool: 'stubborn', args: ['300'] }, { timeoutMs: 1500 }),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'E_TIMEOUT' });
    const parent = Number(await readFile(join(workspace, 'parent.pid'), 'utf8'));
    const child = Number(await readFile(join(workspace, 'child.pid'), 'utf8'));
    expect([await alive(parent), await alive(child)]).toEqual([false, false]);
    expect(await processesIn(workspace)).toEqual([]);
  });

  it('stops at once on cancel, with the canceled outcome', async () => {
    const cancel = new AbortController();
    const running = testRunner().run(
      context({ type: 'cli', tool: 'stubborn', args: ['300'] }, { signal: cancel.signal }),
    );
    await waitFor(() => existsSync(join(workspace, 'child.pid')), { message: 'the tool to start its child' });
    cancel.abort();
    await expect(running).resolves.toEqual({
      ok: false,
      code: 'E_RUNTIME',
      message: 'canceled',
      canceled: true,
      metrics: { duration_ms: expect.any(Number) },
    });
    expect(await processesIn(workspace)).toEqual([]);
  });

  it('reports a tool killed by its memory limit as E_OOM', async () => {
    await expect(testRunner().run(context({ type: 'cli', tool: 'alloc', args: [] }))).resolves.toMatchObject({
      ok: false,
      code: 'E_OOM',
      message: 'alloc ran out of memory (limit 64 MB): tail: memory exhausted',
    });
  });

  it('stops a file growing past max_output_bytes, and refuses outputs over it in total (E_BAD_INPUT)', async () => {
    await expect(
      testRunner().run(
        context({
          type: 'cli',
          tool: 'small-ffmpeg',
          args: ['-y', '-i', 'clip.mp4', 'out.wav'],
          inputs: { 'clip.mp4': clip.toString('base64') },
        }),
      ),
    ).resolves.toMatchObject({
      ok: false,
      code: 'E_BAD_INPUT',
      message: 'small-ffmpeg wrote a file larger than max_output_bytes (2000)',
    });
    const workspace2 = await mkdtemp(join(root, 'job-'));
    await expect(
      testRunner().run(
        context({ type: 'cli', tool: 'writer', args: [], outputs: ['a.bin', 'b.bin'] }, { workspace: workspace2 }),
      ),
    ).resolves.toMatchObject({
      ok: false,
      code: 'E_BAD_INPUT',
      message: "outputs total 1200 bytes, more than writer's max_output_bytes (1000) on this miner",
    });
  });

  it('fails a missing output with E_RUNTIME', async () => {
    await expect(
      testRunner().run(context({ type: 'cli', tool: 'writer', args: [], outputs: ['c.bin'] })),
    ).resolves.toMatchObject({
      ok: false,
      code: 'E_RUNTIME',
      message: 'writer finished without writing c.bin',
    });
  });

  it('needs a GPU for a requires_gpu tool (E_NOGPU)', async () => {
    await expect(testRunner().run(context({ type: 'cli', tool: 'gpu-tool', args: [] }))).resolves.toMatchObject({
      ok: false,
      code: 'E_NOGPU',
      message: 'gpu-tool needs a GPU and this miner has none',
    });
    await expect(
      testRunner({ hasGpu: () => true }).run(context({ type: 'cli', tool: 'gpu-tool', args: [] })),
    ).resolves.toMatchObject({
      ok: true,
      metrics: { gpu_seconds: expect.any(Number) },
    });
  });

  it('asks the probe at each run, so a GPU that appears (or falls off the bus) counts from the next job', async () => {
    let gpu = false;
    const runner = testRunner({ hasGpu: () => gpu });
    const run = () => runner.run(context({ type: 'cli', tool: 'gpu-tool', args: [] }));
    await expect(run()).resolves.toMatchObject({ ok: false, code: 'E_NOGPU' });
    gpu = true;
    await expect(run()).resolves.toMatchObject({ ok: true });
    gpu = false;
    await expect(run()).resolves.toMatchObject({ ok: false, code: 'E_NOGPU' });
  });

  it("gives the tool a minimal environment, never the miner's own", async () => {
    const outcome = await testRunner({ env: { PATH: process.env.PATH, MINER_API_KEY: 'miner-secret' } }).run(
      context({ type: 'cli', tool: 'env', args: [] }),
    );
    expect(outcome.ok).toBe(true);
    const lines = ((outcome as Extract<RunOutcome, { ok: true }>).result.stdout_tail as string)
      .trim()
      .split('\n')
      .sort();
    expect(lines).toEqual([`HOME=${workspace}`, 'LANG=C.UTF-8', `PATH=${process.env.PATH}`, `TMPDIR=${workspace}`]);
  });

  it('refuses invalid base64 inputs with E_BAD_INPUT', async () => {
    await expect(
      shippedRunner().run(
        context({ type: 'cli', tool: 'ffmpeg', args: ['-i', 'a.mp4', 'b.mp4'], inputs: { 'a.mp4': '!!!!' } }),
      ),
    ).resolves.toMatchObject({ ok: false, code: 'E_BAD_INPUT', message: 'inputs.a.mp4 must be base64' });
  });
});
