import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { FFMPEG_BITRATE_NUMBER } from '@aitbc/contracts';

/** A plain file name in the job's workspace: no directory, no `..`, no protocol, not an option. */
export const FILE_NAME_PATTERN = '(?!.*\\.\\.)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';

/** Placeholders an allow-list pattern may use, so that files are not hand-written (and got wrong) each time. */
const PLACEHOLDERS: Record<string, string> = {
  file: FILE_NAME_PATTERN,
  int: '\\d{1,9}',
  number: '\\d{1,9}(?:\\.\\d{1,6})?',
  bitrate: `${FFMPEG_BITRATE_NUMBER}[kKmM]?`,
  size: '\\d{1,5}x\\d{1,5}',
  time: '\\d{1,6}(?:\\.\\d{1,3})?|\\d{1,2}:\\d{2}:\\d{2}(?:\\.\\d{1,3})?',
};

/** One allowed argument; with `value`, an option that must be followed by a matching value. */
export interface ArgRule {
  pattern: RegExp;
  value: RegExp | null;
  /** Trusted arguments put just before this one, e.g. a demuxer whitelist before each `-i`. */
  prepend: readonly string[];
}

export interface CliTool {
  name: string;
  /** The allow-list file it came from, for messages. */
  file: string;
  /** An absolute path, or a name looked up on PATH. */
  executable: string;
  services: readonly string[];
  /** Trusted arguments put before the job's own. */
  fixedArgs: readonly string[];
  args: readonly ArgRule[];
  maxRuntimeSeconds: number;
  maxOutputBytes: number;
  maxInputBytes: number;
  nice: number;
  memoryLimitMb: number | null;
  requiresGpu: boolean;
}

export type AllowList = readonly CliTool[];

export class AllowListError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`allow-list ${file}: ${field}: ${problem}`);
    this.name = 'AllowListError';
  }
}

const FIELDS = [
  'name',
  'executable',
  'services',
  'fixed_args',
  'args',
  'max_runtime_seconds',
  'max_output_bytes',
  'max_input_bytes',
  'nice',
  'memory_limit_mb',
  'requires_gpu',
] as const;

/** Arguments every pattern must refuse; a file whose pattern admits one is rejected at load. */
const HOSTILE = [
  '/etc/passwd',
  '../secret',
  'a/../../b',
  'file:/etc/passwd',
  'http://x/y',
  'x;id',
  '$(id)',
  '`id`',
  'a|b',
];

/** Reads every `*.yaml`/`*.yml` in `dir`, in name order; the first problem stops the load, naming file and field. */
export async function loadAllowList(dir: string): Promise<AllowList> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    throw new AllowListError(
      dir,
      'directory',
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  const tools: CliTool[] = [];
  for (const name of names) {
    const tool = parseAllowListFile(name, await readFile(join(dir, name), 'utf8'));
    const clash = tools.find((other) => other.name === tool.name);
    if (clash) {
      throw new AllowListError(name, 'name', `"${tool.name}" is already defined in ${clash.file}`);
    }
    tools.push(tool);
  }
  return tools;
}

/** One allow-list file's text, validated. */
export function parseAllowListFile(file: string, text: string): CliTool {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new AllowListError(file, 'yaml', (error as Error).message.split('\n')[0]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AllowListError(file, 'document', 'must be a mapping of fields');
  }
  const doc = raw as Record<string, unknown>;
  const unknown = Object.keys(doc).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw new AllowListError(file, unknown, `unknown field (known: ${FIELDS.join(', ')})`);
  }
  const fail = (field: string, problem: string): never => {
    throw new AllowListError(file, field, problem);
  };
  const integer = (field: (typeof FIELDS)[number], fallback: number, min: number, max: number) => {
    const value = doc[field] ?? fallback;
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? value
      : fail(field, `must be an integer from ${min} to ${max}`);
  };
  const strings = (field: string, value: unknown): string[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? value
      : fail(field, 'must be a list of strings');

  const name = doc.name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
    fail('name', 'must be a lower-case name of letters, digits, "-" and "_"');
  }
  const executable = doc.executable;
  if (typeof executable !== 'string' || executable === '' || (!isAbsolute(executable) && executable.includes('/'))) {
    fail('executable', 'must be an absolute path or a bare command name looked up on PATH');
  }
  const services = strings('services', doc.services);
  if (services.length === 0 || !services.every((service) => /^[a-z0-9_-]{1,64}$/.test(service))) {
    fail('services', 'must list at least one service name (lower-case letters, digits, "_", "-")');
  }
  if (!Array.isArray(doc.args)) {
    fail('args', 'must be a list of patterns');
  }
  const memory = doc.memory_limit_mb;
  if (memory !== undefined && memory !== null && (!Number.isInteger(memory) || (memory as number) < 16)) {
    fail('memory_limit_mb', 'must be an integer of at least 16, or null for no limit');
  }
  if (doc.requires_gpu !== undefined && typeof doc.requires_gpu !== 'boolean') {
    fail('requires_gpu', 'must be true or false');
  }
  return {
    name: name as string,
    file,
    executable: executable as string,
    services,
    fixedArgs: strings('fixed_args', doc.fixed_args ?? []),
    args: (doc.args as unknown[]).map((entry, index) => parseRule(entry, `args[${index}]`, fail)),
    maxRuntimeSeconds: integer('max_runtime_seconds', 600, 1, 86_400),
    maxOutputBytes: integer('max_output_bytes', 10 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    maxInputBytes: integer('max_input_bytes', 256 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    nice: integer('nice', 10, 0, 19),
    memoryLimitMb: (memory as number | null | undefined) ?? null,
    requiresGpu: doc.requires_gpu === true,
  };
}

function parseRule(entry: unknown, field: string, fail: (field: string, problem: string) => never): ArgRule {
  const spec = typeof entry === 'string' ? { pattern: entry } : entry;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return fail(field, 'must be a pattern, or {pattern, value?, prepend?}');
  }
  const { pattern, value, prepend, ...rest } = spec as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) {
    return fail(`${field}.${extra}`, 'unknown field (known: pattern, value, prepend)');
  }
  if (prepend !== undefined && !(Array.isArray(prepend) && prepend.every((item) => typeof item === 'string'))) {
    return fail(`${field}.prepend`, 'must be a list of strings');
  }
  return {
    pattern: compilePattern(pattern, `${field}${typeof entry === 'string' ? '' : '.pattern'}`, fail),
    value: value === undefined || value === null ? null : compilePattern(value, `${field}.value`, fail),
    prepend: prepend ?? [],
  };
}

function compilePattern(source: unknown, field: string, fail: (field: string, problem: string) => never): RegExp {
  if (typeof source !== 'string' || source === '') {
    return fail(field, 'must be a non-empty regular expression');
  }
  const expanded = source.replace(/\{([a-z]+)\}/g, (_match, name: string) =>
    name in PLACEHOLDERS ? `(?:${PLACEHOLDERS[name]})` : fail(field, `unknown placeholder {${name}}`),
  );
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${expanded})$`);
  } catch (error) {
    return fail(field, `is not a valid regular expression (${(error as Error).message})`);
  }
  const admitted = HOSTILE.find((hostile) => pattern.test(hostile));
  if (admitted !== undefined) {
    fail(
      field,
      `admits ${JSON.stringify(admitted)}: patterns must refuse paths outside the workspace, URLs and shell syntax`,
    );
  }
  return pattern;
}

/**
 * Why an argument is refused whatever the allow-list says, or null. The runner never uses a shell;
 * these close the doors a sloppy pattern could leave open (reading outside the workspace, protocols).
 */
export function refusedArgument(arg: string): string | null {
  if (arg === '') {
    return 'is empty';
  }
  if (arg.length > 1024) {
    return 'is longer than 1024 characters';
  }
  if ([...arg].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    return 'contains control characters';
  }
  if (/[\s;|&$`<>\\'"*?!~{}()[\]#%^]/.test(arg)) {
    return 'contains shell or pattern metacharacters';
  }
  if (arg.startsWith('/')) {
    return 'is an absolute path';
  }
  if (/(?:^|\/)\.\.(?:\/|$)/.test(arg)) {
    return 'refers to a parent directory';
  }
  // ffmpeg's protocol prefixes include option lists, as in `subfile,,start,0,end,1,,:file`.
  if (/^[A-Za-z][A-Za-z0-9+.,-]*:/.test(arg)) {
    return 'looks like a URL or protocol';
  }
  return null;
}

export type ArgsCheck = { ok: true; argv: string[] } | { ok: false; message: string };

/** The full argv for `args` (fixed and prepended arguments included), or why an argument is refused. */
export function checkArgs(tool: CliTool, args: readonly string[]): ArgsCheck {
  const argv = [...tool.fixedArgs];
  const refuse = (index: number, why: string): ArgsCheck => ({
    ok: false,
    message: `argument ${index + 1} (${JSON.stringify(args[index].slice(0, 60))}) ${why} for ${tool.name}`,
  });
  for (let index = 0; index < args.length;) {
    const arg = args[index];
    const problem = refusedArgument(arg);
    if (problem !== null) {
      return refuse(index, problem);
    }
    const next = args[index + 1] as string | undefined;
    const nextOk = next !== undefined && refusedArgument(next) === null;
    const candidates = tool.args.filter((rule) => rule.pattern.test(arg));
    const rule = candidates.find((candidate) => candidate.value === null || (nextOk && candidate.value.test(next)));
    if (!rule) {
      if (candidates.length === 0) {
        return refuse(index, 'is not allowed');
      }
      if (next === undefined) {
        return refuse(index, 'needs a value');
      }
      return refuse(index + 1, refusedArgument(next) ?? `is not an allowed value of ${JSON.stringify(arg)}`);
    }
    argv.push(...rule.prepend, arg);
    if (rule.value !== null) {
      argv.push(next as string);
    }
    index += rule.value === null ? 1 : 2;
  }
  return { ok: true, argv };
}

export interface PresentTool {
  tool: CliTool;
  /** Where the executable is on this machine. */
  path: string;
}

/** The allow-listed tools whose executable exists here; the probe advertises their services. */
export async function presentTools(allowList: AllowList, env: NodeJS.ProcessEnv = process.env): Promise<PresentTool[]> {
  const present: PresentTool[] = [];
  for (const tool of allowList) {
    const path = await findExecutable(tool.executable, env);
    if (path !== null) {
      present.push({ tool, path });
    }
  }
  return present;
}

export async function findExecutable(executable: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const candidates = isAbsolute(executable)
    ? [executable]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => isAbsolute(dir))
        .map((dir) => join(dir, executable));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) {
        return candidate;
      }
    } catch {
      // not here; try the next directory
    }
  }
  return null;
}
