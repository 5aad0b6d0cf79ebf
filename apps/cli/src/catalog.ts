import type { Command, CommandGroup } from './command';
import { adminCommands, adminGroup } from './commands/admin';
import { balanceCommand } from './commands/balance';
import { cancelCommand } from './commands/cancel';
import { completionCommand } from './commands/completion';
import { healthCommand } from './commands/health';
import { keysCommand } from './commands/keys';
import { listCommand } from './commands/list';
import { minersCommand } from './commands/miners';
import { receiptCommand } from './commands/receipt';
import { resultCommand } from './commands/result';
import { statusCommand } from './commands/status';
import { submitCommands, submitGroup } from './commands/submit';
import { waitCommand } from './commands/wait';

/** Every command of `aitbc`, in the order help lists them. */
export interface Catalog {
  readonly commands: readonly Command[];
  readonly groups: readonly CommandGroup[];
}

const commands: Command[] = [
  ...submitCommands,
  statusCommand,
  waitCommand,
  resultCommand,
  cancelCommand,
  listCommand,
  receiptCommand,
  balanceCommand,
  minersCommand,
  ...adminCommands,
  keysCommand,
  healthCommand,
];

export const CATALOG: Catalog = { commands, groups: [submitGroup, adminGroup] };
commands.push(completionCommand(CATALOG));

/** The leaf command named by `words`, the group they name, or neither. */
export function findCommand(
  catalog: Catalog,
  words: readonly string[],
): { command: Command } | { group: CommandGroup } | { unknown: string } | null {
  if (words.length === 0) {
    return null;
  }
  const group = catalog.groups.find((candidate) => candidate.name === words[0]);
  if (group && words.length === 1) {
    return { group };
  }
  const length = group ? 2 : 1;
  const command = catalog.commands.find(
    (candidate) => candidate.path.length === length && candidate.path.every((word, index) => word === words[index]),
  );
  return command ? { command } : { unknown: words.slice(0, length).join(' ') };
}

export function commandsOf(catalog: Catalog, group: string): Command[] {
  return catalog.commands.filter((command) => command.path.length === 2 && command.path[0] === group);
}
