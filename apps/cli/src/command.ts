import type { CliConfig } from './config';
import type { HttpClient } from './http';
import type { Io } from './io';
import type { Output } from './output';

/** One option of a command, as `util.parseArgs` takes it plus what `--help` shows. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** the placeholder of the value in help, e.g. `TEXT` */
  value?: string;
  description: string;
  /** what shell completion offers for the value: fixed words, or files */
  complete?: readonly string[] | 'file';
}

export type OptionSpecs = Record<string, OptionSpec>;

/** The parsed options of a command: strings, booleans or lists of strings by option name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Args {
  values: OptionValues;
  /** positionals after the command's own words */
  positionals: string[];
}

/** Which key a command needs: it picks the local dev key of that role and says what a 403 means. */
export type KeyRole = 'client' | 'admin' | 'none';

export interface CommandContext {
  readonly config: CliConfig;
  readonly http: HttpClient;
  readonly out: Output;
  readonly io: Io;
}

/** A leaf command, e.g. `aitbc status` or `aitbc submit inference`. */
export interface Command {
  /** its words: `['status']`, `['submit', 'inference']` */
  path: readonly string[];
  summary: string;
  /** what follows `aitbc <path>` in the usage line */
  usage: string;
  /** more text for --help, after the summary */
  description?: string;
  options: OptionSpecs;
  /** at most this many positionals (default 0) */
  maxPositionals?: number;
  /** shell completion of positionals: fixed words */
  completePositionals?: readonly string[];
  examples: readonly string[];
  key: KeyRole;
  run(ctx: CommandContext, args: Args): Promise<number>;
}

/** A word that only groups leaf commands: `submit`, `admin`. */
export interface CommandGroup {
  name: string;
  /** what the second word is, in help: `KIND` */
  word: string;
  summary: string;
  examples: readonly string[];
}
