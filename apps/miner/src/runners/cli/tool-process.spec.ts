import { limitedCommand, Tail } from './tool-process';

const all = { prlimit: '/usr/bin/prlimit', nice: '/usr/bin/nice', shell: '/bin/sh' };

describe('limitedCommand', () => {
  it('uses prlimit for memory and file size, and nice for priority', () => {
    expect(
      limitedCommand(
        '/usr/bin/ffmpeg',
        ['-i', 'in.mp4', 'out.mp4'],
        { nice: 10, memoryLimitMb: 64, fileSizeLimitBytes: 1000 },
        all,
      ),
    ).toEqual({
      command: '/usr/bin/prlimit',
      args: [
        '--as=67108864:67108864',
        '--fsize=1000:1000',
        '--',
        '/usr/bin/nice',
        '-n',
        '10',
        '/usr/bin/ffmpeg',
        '-i',
        'in.mp4',
        'out.mp4',
      ],
      reniceAfterSpawn: false,
    });
  });

  it('falls back to the shell\'s ulimit, passing arguments as "$@" and never through its parser', () => {
    expect(
      limitedCommand(
        '/usr/bin/tool',
        ['$(id)', "'; rm -rf ~"],
        { nice: 5, memoryLimitMb: 16, fileSizeLimitBytes: null },
        { ...all, prlimit: null },
      ),
    ).toEqual({
      command: '/bin/sh',
      args: [
        '-c',
        'ulimit -v "$1" && shift && exec "$@"',
        'sh',
        '16384',
        '/usr/bin/nice',
        '-n',
        '5',
        '/usr/bin/tool',
        '$(id)',
        "'; rm -rf ~",
      ],
      reniceAfterSpawn: false,
    });
  });

  it('runs the tool itself when there is nothing to limit, renicing it after the spawn without nice', () => {
    expect(
      limitedCommand(
        '/usr/bin/tool',
        ['a'],
        { nice: 3, memoryLimitMb: null, fileSizeLimitBytes: null },
        { prlimit: null, nice: null, shell: '/bin/sh' },
      ),
    ).toEqual({ command: '/usr/bin/tool', args: ['a'], reniceAfterSpawn: true });
  });
});

describe('Tail', () => {
  it('keeps the last bytes only', () => {
    const tail = new Tail(10);
    for (const piece of ['0123', '4567', '89ab', 'cdef']) {
      tail.push(Buffer.from(piece));
    }
    expect(tail.text()).toBe('6789abcdef');
  });
});
