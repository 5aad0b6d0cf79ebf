import { commandWords, parseCommandArgs } from './args';
import { CATALOG, commandsOf, findCommand } from './catalog';
import { resolveConfig } from './config';
import { CliError, EXIT, usageError } from './exit-codes';
import { commandHelp, groupHelp, topHelp } from './help';
import { HttpClient } from './http';
import { nodeIo, type Io } from './io';
import { Output } from './output';
import { VERSION } from './version';

export { EXIT } from './exit-codes';

/** Each group with the options of its commands that take a value, which may come before its second word. */
const GROUPS = new Map(
  CATALOG.groups.map((group) => [
    group.name,
    new Set(
      commandsOf(CATALOG, group.name).flatMap((command) =>
        Object.entries(command.options)
          .filter(([, spec]) => spec.type === 'string')
          .map(([name]) => name),
      ),
    ),
  ]),
);

/**
 * Runs `aitbc` with `argv` (without node and the script) and resolves to its exit code. Never
 * throws and never prints a stack trace: every failure is one line on stderr (JSON with --json).
 */
export async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io = nodeIo()): Promise<number> {
  // known before parsing, so even a usage error comes out as JSON for a script
  const early = new Output(io, argv.includes('--json'));
  try {
    return await dispatch(argv, env, io, early);
  } catch (error) {
    const failure =
      error instanceof CliError
        ? error
        : new CliError(EXIT.internal, `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    early.error(failure);
    return failure.exitCode;
  }
}

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, io: Io, out: Output): Promise<number> {
  const words = commandWords(argv, GROUPS);
  if (words[0] === 'help') {
    return help(words.slice(1), out);
  }
  const found = findCommand(CATALOG, words);
  if (found && 'unknown' in found) {
    throw usageError(`unknown command "${found.unknown}" (see aitbc --help)`);
  }
  const command = found && 'command' in found ? found.command : null;
  const args = parseCommandArgs(argv, command);
  if (args.values.help === true) {
    return help(words, out);
  }
  if (args.values.version === true) {
    out.result({ version: VERSION }, () => VERSION);
    return EXIT.ok;
  }
  if (found && 'group' in found) {
    throw usageError(`${found.group.name} needs a command (see aitbc ${found.group.name} --help)`);
  }
  if (!command) {
    // a script gets the usage error it can parse; a person the overview
    if (out.json) {
      throw usageError('a command is needed (see aitbc --help)');
    }
    out.text(topHelp(CATALOG));
    return EXIT.usage;
  }
  const config = await resolveConfig(args.values, env, io, command.key);
  const ctx = { config, io, http: new HttpClient(config, io, command.key), out: new Output(io, config.json) };
  return command.run(ctx, args);
}

function help(words: readonly string[], out: Output): number {
  const found = findCommand(CATALOG, words);
  if (found && 'unknown' in found) {
    throw usageError(`unknown command "${found.unknown}" (see aitbc --help)`);
  }
  out.text(
    found === null ? topHelp(CATALOG) : 'group' in found ? groupHelp(CATALOG, found.group) : commandHelp(found.command),
  );
  return EXIT.ok;
}
