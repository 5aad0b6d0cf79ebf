import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Args, Command, OptionSpecs, OptionValues } from './command';
import { usageError } from './exit-codes';

/** Options every command takes, before or after its words. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  url: {
    type: 'string',
    value: 'URL',
    description: 'coordinator base URL (env AITBC_URL, default http://127.0.0.1:18000)',
  },
  'api-key': {
    type: 'string',
    value: 'KEY',
    description: 'API key (env AITBC_API_KEY or CLIENT_KEY; prefer those: arguments show in `ps`)',
  },
  profile: { type: 'string', value: 'NAME', description: 'a profile of the config file (env AITBC_PROFILE)' },
  json: { type: 'boolean', description: 'machine-readable output: one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'help for the command' },
  version: { type: 'boolean', description: 'print the version' },
};

/** The global options that take a value, whose value must be skipped when finding the command words. */
const GLOBAL_VALUE_OPTIONS = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => name),
);

/**
 * The command words of `argv` (`['submit', 'inference']`), found before the options are known:
 * global options may precede them, and a group takes one more word, which the options of its
 * commands may precede too. `groups` maps each group to the names of its commands' options that
 * take a value (`payment`), so `submit --payment 0.5 inference` names `submit inference`.
 */
export function commandWords(argv: readonly string[], groups: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      break;
    }
    if (arg.startsWith('-')) {
      const name = arg.startsWith('--') ? arg.slice(2) : '';
      const group = groups.get((words[0] === 'help' ? words[1] : words[0]) ?? '');
      if (GLOBAL_VALUE_OPTIONS.has(name) || group?.has(name) === true) {
        i++;
      }
      continue;
    }
    words.push(arg);
    const wanted = words[0] === 'help' ? 3 : groups.has(words[0]) ? 2 : 1;
    if (words.length >= wanted) {
      break;
    }
  }
  return words;
}

/** Parses `argv` for `command` (null: global options only), strictly: unknown options are usage errors. */
export function parseCommandArgs(argv: readonly string[], command: Command | null): Args {
  const specs: OptionSpecs = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, multiple: spec.multiple === true, ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw usageError(parseErrorMessage(error));
  }
  const own = command ? parsed.positionals.slice(command.path.length) : parsed.positionals;
  const allowed = command?.maxPositionals ?? 0;
  if (command && own.length > allowed) {
    throw usageError(`unexpected argument "${own[allowed]}"`);
  }
  return { values: parsed.values, positionals: own };
}

/** node:util's parse errors, said in one short line. */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    return `unknown option ${unknown[1]}`;
  }
  const option = /Option '(-[^' ]+)/.exec(message)?.[1] ?? 'an option';
  if (/does not take an argument/.test(message)) {
    return `${option} takes no value`;
  }
  if (/ambiguous/.test(message)) {
    return `${option} needs a value (write ${option}=-… for a value that starts with "-")`;
  }
  if (/argument missing/.test(message)) {
    return `${option} needs a value`;
  }
  return message;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value.trim() === '') {
    throw usageError(`--${name} is required`);
  }
  return value;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function flagOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A whole number option; its range is the coordinator's to check (one validation, at the edge). */
export function intOption(values: OptionValues, name: string): number | undefined {
  const value = stringOption(values, name);
  if (value === undefined) {
    return undefined;
  }
  if (!/^-?\d{1,15}$/.test(value.trim())) {
    throw usageError(`--${name} must be a whole number (got "${value}")`);
  }
  return Number(value);
}

export function numberOption(values: OptionValues, name: string): number | undefined {
  const value = stringOption(values, name);
  if (value === undefined) {
    return undefined;
  }
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw usageError(`--${name} must be a number (got "${value}")`);
  }
  return number;
}

/** Splits `key=value` at the first `=`. */
export function keyValue(text: string, option: string): [string, string] {
  const cut = text.indexOf('=');
  if (cut <= 0) {
    throw usageError(`--${option} takes KEY=VALUE (got "${text}")`);
  }
  return [text.slice(0, cut).trim(), text.slice(cut + 1)];
}

/**
 * A `KEY=VALUE` value written on a command line: JSON when it parses as JSON (numbers, true,
 * arrays, objects, quoted strings), else the text itself.
 */
export function looseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
