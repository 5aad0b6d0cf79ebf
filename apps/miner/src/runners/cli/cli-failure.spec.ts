import { parseAllowListFile } from './allow-list';
import { exitFailure } from './cli-failure';
import type { ToolExit } from './tool-process';

const tool = parseAllowListFile(
  't.yaml',
  'name: ffmpeg\nexecutable: ffmpeg\nservices: [ffmpeg]\nargs: []\nmemory_limit_mb: 512\nmax_output_bytes: 1000\n',
);
const exit = (fields: Partial<ToolExit>): ToolExit => ({
  exitCode: 1,
  signal: null,
  killedByUs: false,
  spawnError: null,
  stdoutTail: '',
  stderrTail: '',
  ...fields,
});

describe('exitFailure', () => {
  it('is null for exit code 0', () => {
    expect(exitFailure(exit({ exitCode: 0 }), tool)).toBeNull();
  });

  it.each([
    [
      { stderrTail: 'x.mp4: Cannot allocate memory\n' },
      'E_OOM',
      'ffmpeg ran out of memory (limit 512 MB): x.mp4: Cannot allocate memory',
    ],
    [
      {
        stderrTail:
          'ffmpeg: error while loading shared libraries: libavcodec.so.59: failed to map segment from shared object\n',
        exitCode: 127,
      },
      'E_OOM',
      'ffmpeg ran out of memory (limit 512 MB): ffmpeg: error while loading shared libraries: libavcodec.so.59: failed to map segment from shared object',
    ],
    [{ exitCode: null, signal: 'SIGKILL' as const }, 'E_OOM', 'ffmpeg ran out of memory (limit 512 MB)'],
    [
      { exitCode: null, signal: 'SIGXFSZ' as const },
      'E_BAD_INPUT',
      'ffmpeg wrote a file larger than max_output_bytes (1000)',
    ],
    [
      { stderrTail: 'frame=1\ninput.mp4: Invalid data found when processing input\n' },
      'E_BAD_INPUT',
      'ffmpeg could not read its input: input.mp4: Invalid data found when processing input',
    ],
    [
      { stderrTail: 'in.mp4: No such file or directory\n' },
      'E_BAD_INPUT',
      'ffmpeg could not read its input: in.mp4: No such file or directory',
    ],
    [
      { stderrTail: "[hls @ 0x1] Format not on whitelist 'mov'\ninput.mp4: Invalid argument\n" },
      'E_BAD_INPUT',
      "ffmpeg could not read its input: [hls @ 0x1] Format not on whitelist 'mov'",
    ],
    [
      { stderrTail: 'Unknown encoder\nConversion failed!\n', exitCode: 1 },
      'E_RUNTIME',
      'ffmpeg exited with code 1: Conversion failed!',
    ],
    [{ exitCode: null, signal: 'SIGSEGV' as const }, 'E_RUNTIME', 'ffmpeg was killed by SIGSEGV'],
  ])('maps %j', (fields, code, message) => {
    const failure = exitFailure(exit(fields), tool);
    expect({ code: failure?.code, message: failure?.message }).toEqual({ code, message });
  });

  it('does not take our own SIGKILL (after a stop) for the OOM killer', () => {
    expect(exitFailure(exit({ exitCode: null, signal: 'SIGKILL', killedByUs: true }), tool)?.code).toBe('E_RUNTIME');
  });

  it('reports a tool that could not start', () => {
    const spawnError = Object.assign(new Error('spawn ffmpeg ENOENT'), { code: 'ENOENT' });
    expect(exitFailure(exit({ spawnError, exitCode: null }), tool)?.message).toBe(
      'ffmpeg could not be started (ENOENT)',
    );
  });
});
