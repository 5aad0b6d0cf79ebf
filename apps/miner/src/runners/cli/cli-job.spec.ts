import { isCliPayload, parseCliJob } from './cli-job';

describe('CLI payloads', () => {
  it('reads a cli job with inline inputs and named outputs', () => {
    expect(
      parseCliJob({
        type: 'cli',
        tool: 'ffmpeg',
        args: ['-i', 'in.wav', 'out.mp3'],
        inputs: { 'in.wav': 'UklGRg==' },
        outputs: ['out.mp3'],
      }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'cli',
        tool: 'ffmpeg',
        args: ['-i', 'in.wav', 'out.mp3'],
        inputs: { 'in.wav': 'UklGRg==' },
        outputs: ['out.mp3'],
      },
    });
  });

  it('reads the typed ffmpeg form', () => {
    const parsed = parseCliJob({
      service_type: 'ffmpeg',
      service_request: { input_url: 'https://x/a.mp4', output_format: 'webm' },
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        kind: 'ffmpeg',
        request: { input_url: 'https://x/a.mp4', output_format: 'webm', hardware_acceleration: false },
      },
    });
  });

  it.each([
    [{ type: 'cli' }, 'tool must be the name of an allow-listed tool'],
    [{ type: 'cli', tool: 'ffmpeg', args: '-i x' }, 'args must be a list of at most 256 strings'],
    [{ type: 'cli', tool: 'ffmpeg', args: [1] }, 'args must be a list of at most 256 strings'],
    [{ type: 'cli', tool: 'ffmpeg', inputs: { '../x': 'AA==' } }, 'inputs: "../x" is not a plain file name'],
    [{ type: 'cli', tool: 'ffmpeg', inputs: { 'x.mp4': 'not base64!' } }, 'inputs.x.mp4 must be base64'],
    [{ type: 'cli', tool: 'ffmpeg', inputs: { 'x.mp4': 'AAA' } }, 'inputs.x.mp4 must be base64'],
    [{ type: 'cli', tool: 'ffmpeg', outputs: ['/etc/shadow'] }, 'outputs: "/etc/shadow" is not a plain file name'],
    [
      { service_type: 'ffmpeg', service_request: { output_format: 'mp4' } },
      'service_request.input_url must be an http(s) URL of at most 2048 characters',
    ],
  ])('refuses %j', (payload, message) => {
    expect(parseCliJob(payload)).toEqual({ ok: false, message });
  });

  it('accepts cli and ffmpeg payloads only', () => {
    expect(isCliPayload({ type: 'cli' })).toBe(true);
    expect(isCliPayload({ service_type: 'ffmpeg' })).toBe(true);
    expect(isCliPayload({ type: 'inference' })).toBe(false);
  });
});
