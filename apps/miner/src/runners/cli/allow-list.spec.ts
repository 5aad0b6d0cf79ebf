import { AllowListError, checkArgs, parseAllowListFile, refusedArgument } from './allow-list';

const FFMPEG = `
name: ffmpeg
executable: /usr/bin/ffmpeg
services: [ffmpeg]
fixed_args: ['-hide_banner', '-nostdin']
args:
  - '-y|-vn'
  - pattern: '-i'
    value: '{file}'
    prepend: ['-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm']
  - pattern: '-c:v'
    value: 'libx264|copy'
  - pattern: '-f'
    value: 'mp4|webm'
  - pattern: '-s'
    value: '{size}'
  - '{file}'
`;

describe('parseAllowListFile', () => {
  it('reads a tool with its defaults', () => {
    const tool = parseAllowListFile('ffmpeg.yaml', FFMPEG);
    expect(tool).toMatchObject({
      name: 'ffmpeg',
      file: 'ffmpeg.yaml',
      executable: '/usr/bin/ffmpeg',
      services: ['ffmpeg'],
      fixedArgs: ['-hide_banner', '-nostdin'],
      maxRuntimeSeconds: 600,
      maxOutputBytes: 10485760,
      maxInputBytes: 268435456,
      nice: 10,
      memoryLimitMb: null,
      requiresGpu: false,
    });
    expect(tool.args).toHaveLength(6);
  });

  it.each([
    ['name: [x]\n', 'allow-list t.yaml: name: must be a lower-case name of letters, digits, "-" and "_"'],
    [
      'name: t\nexecutable: bin/tool\nservices: [t]\nargs: []\n',
      'allow-list t.yaml: executable: must be an absolute path or a bare command name looked up on PATH',
    ],
    [
      'name: t\nexecutable: tool\nservices: []\nargs: []\n',
      'allow-list t.yaml: services: must list at least one service name (lower-case letters, digits, "_", "-")',
    ],
    ['name: t\nexecutable: tool\nservices: [t]\n', 'allow-list t.yaml: args: must be a list of patterns'],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: []\nmax_runtime_secs: 5\n',
      'allow-list t.yaml: max_runtime_secs: unknown field (known: name, executable, services, fixed_args, args, max_runtime_seconds, max_output_bytes, max_input_bytes, nice, memory_limit_mb, requires_gpu)',
    ],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: []\nnice: 25\n',
      'allow-list t.yaml: nice: must be an integer from 0 to 19',
    ],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: []\nmemory_limit_mb: 2\n',
      'allow-list t.yaml: memory_limit_mb: must be an integer of at least 16, or null for no limit',
    ],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: ["-a", {pattern: "-b", value: "(unclosed"}]\n',
      'allow-list t.yaml: args[1].value: is not a valid regular expression (Invalid regular expression: /^(?:(unclosed)$/: Unterminated group)',
    ],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: ["{path}"]\n',
      'allow-list t.yaml: args[0]: unknown placeholder {path}',
    ],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: [{pattern: "-i", value: ".*"}]\n',
      'allow-list t.yaml: args[0].value: admits "/etc/passwd": patterns must refuse paths outside the workspace, URLs and shell syntax',
    ],
    [
      'name: t\nexecutable: tool\nservices: [t]\nargs: [{pattern: "-i", valeu: "x"}]\n',
      'allow-list t.yaml: args[0].valeu: unknown field (known: pattern, value, prepend)',
    ],
    ['name: t\n  bad: indentation\n', 'allow-list t.yaml: yaml: '],
    ['- just\n- a list\n', 'allow-list t.yaml: document: must be a mapping of fields'],
  ])('refuses %j with one message naming file and field', (text, message) => {
    expect(() => parseAllowListFile('t.yaml', text)).toThrow(AllowListError);
    expect(() => parseAllowListFile('t.yaml', text)).toThrow(message);
  });
});

describe('checkArgs', () => {
  const ffmpeg = parseAllowListFile('ffmpeg.yaml', FFMPEG);

  it('passes an ordinary transcode, adding the fixed and prepended arguments', () => {
    expect(checkArgs(ffmpeg, ['-i', 'input.mp4', '-c:v', 'libx264', 'out.mp4'])).toEqual({
      ok: true,
      argv: [
        '-hide_banner',
        '-nostdin',
        '-format_whitelist',
        'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm',
        '-i',
        'input.mp4',
        '-c:v',
        'libx264',
        'out.mp4',
      ],
    });
  });

  it.each([
    [['-f', 'lavfi', '-i', 'movie=x'], 'argument 2 ("lavfi") is not an allowed value of "-f" for ffmpeg'],
    [['-i', '/etc/passwd', 'out.mp4'], 'argument 2 ("/etc/passwd") is an absolute path for ffmpeg'],
    [
      ['-i', '../other-job/in.mp4', 'out.mp4'],
      'argument 2 ("../other-job/in.mp4") refers to a parent directory for ffmpeg',
    ],
    [['-i', 'a..b.mp4', 'out.mp4'], 'argument 2 ("a..b.mp4") is not an allowed value of "-i" for ffmpeg'],
    [['-i', 'file:secret.mp4', 'out.mp4'], 'argument 2 ("file:secret.mp4") looks like a URL or protocol for ffmpeg'],
    [
      ['-i', 'http://169.254.169.254/latest', 'o.mp4'],
      'argument 2 ("http://169.254.169.254/latest") looks like a URL or protocol for ffmpeg',
    ],
    [
      ['-i', 'concat:a.mp4|b.mp4', 'o.mp4'],
      'argument 2 ("concat:a.mp4|b.mp4") contains shell or pattern metacharacters for ffmpeg',
    ],
    [['-i', 'in.mp4', 'out.mp4;rm'], 'argument 3 ("out.mp4;rm") contains shell or pattern metacharacters for ffmpeg'],
    [['-i', 'in.mp4', '$(id).mp4'], 'argument 3 ("$(id).mp4") contains shell or pattern metacharacters for ffmpeg'],
    [['-i', 'in.mp4', 'out%03d.png'], 'argument 3 ("out%03d.png") contains shell or pattern metacharacters for ffmpeg'],
    [['-i', 'in.mp4', 'a b.mp4'], 'argument 3 ("a b.mp4") contains shell or pattern metacharacters for ffmpeg'],
    [['-i', 'in.mp4', 'x\n.mp4'], 'argument 3 ("x\\n.mp4") contains control characters for ffmpeg'],
    [['-i', 'in.mp4', '-vf', 'movie=x'], 'argument 3 ("-vf") is not allowed for ffmpeg'],
    [['-i', 'in.mp4', '-dump_attachment:t', 'x'], 'argument 3 ("-dump_attachment:t") is not allowed for ffmpeg'],
    [['-i'], 'argument 1 ("-i") needs a value for ffmpeg'],
    [['-i', '-'], 'argument 2 ("-") is not an allowed value of "-i" for ffmpeg'],
    [['-i', 'in.mp4', ''], 'argument 3 ("") is empty for ffmpeg'],
  ])('refuses %j', (args, message) => {
    expect(checkArgs(ffmpeg, args)).toEqual({ ok: false, message });
  });
});

describe('refusedArgument', () => {
  it.each(['-c:v', 'libx264', '1280x720', 'out.mp4', '2M', '+faststart', '0:a', 'scale=1280:720', '00:00:01.5'])(
    'leaves %j to the patterns',
    (arg) => expect(refusedArgument(arg)).toBeNull(),
  );

  it.each([
    ['/dev/zero', 'is an absolute path'],
    ['a/../../b', 'refers to a parent directory'],
    ['..', 'refers to a parent directory'],
    ['pipe:1', 'looks like a URL or protocol'],
    ['subfile,,start,0,end,0,,:x', 'looks like a URL or protocol'],
    ['`id`', 'contains shell or pattern metacharacters'],
    ['~/.ssh/id_rsa', 'contains shell or pattern metacharacters'],
    ['x'.repeat(1025), 'is longer than 1024 characters'],
    ['a\u0000b', 'contains control characters'],
  ])('refuses %j: %s', (arg, reason) => expect(refusedArgument(arg)).toBe(reason));
});
