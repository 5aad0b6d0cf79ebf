import { GLOBAL_OPTIONS } from './args';
import { commandsOf, type Catalog } from './catalog';
import type { Command, CommandGroup, OptionSpecs } from './command';

export const EXIT_CODES_LINE =
  'Exit codes: 0 ok, 1 job failed, 2 usage error, 3 authentication refused, 4 not found, 5 coordinator unreachable\n' +
  '(70 internal error, 130 interrupted).';

const CONFIG_TEXT = `Configuration (first found wins): options, then environment (AITBC_URL, AITBC_API_KEY or the seed's
CLIENT_KEY, AITBC_PROFILE), then a profile of ~/.config/aitbc/config.json (AITBC_CONFIG names another file).
With no key configured, a coordinator on this machine started by \`npm start\` lends its dev key.
Details: docs/cli.md.`;

function optionLines(specs: OptionSpecs): string[] {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.min(30, Math.max(...rows.map(([flag]) => flag.length)));
  return rows.map(([flag, description]) =>
    flag.length > width
      ? `  ${flag}\n  ${' '.repeat(width)}  ${description}`
      : `  ${flag.padEnd(width)}  ${description}`,
  );
}

function listing(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
}

export function topHelp(catalog: Catalog): string {
  const rows: [string, string][] = [];
  for (const command of catalog.commands) {
    const group = catalog.groups.find((candidate) => candidate.name === command.path[0]);
    if (!group) {
      rows.push([`${command.path[0]} ${firstWords(command.usage)}`.trim(), command.summary]);
    } else if (!rows.some(([name]) => name.startsWith(`${group.name} `))) {
      rows.push([`${group.name} ${group.word}`, group.summary]);
    }
  }
  rows.push(['help [COMMAND]', 'help for a command, with examples']);
  return [
    'aitbc — the AITBC command line',
    '',
    'Usage: aitbc [--url URL] [--api-key KEY] [--profile NAME] [--json] <command> [options]',
    '',
    'Commands:',
    ...listing(rows),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    CONFIG_TEXT,
    '',
    EXIT_CODES_LINE,
    '',
    'Run `aitbc help COMMAND` (or `aitbc COMMAND --help`) for its options and examples.',
    '',
  ].join('\n');
}

export function groupHelp(catalog: Catalog, group: CommandGroup): string {
  const leaves = commandsOf(catalog, group.name);
  return [
    `aitbc ${group.name} — ${group.summary}`,
    '',
    `Usage: aitbc ${group.name} <${leaves.map((leaf) => leaf.path[1]).join('|')}> [options]`,
    '',
    'Commands:',
    ...listing(leaves.map((leaf) => [leaf.path[1], leaf.summary] as const)),
    '',
    'Examples:',
    ...group.examples.map((example) => `  ${example}`),
    '',
    `Run \`aitbc ${group.name} <command> --help\` for its options.`,
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const name = `aitbc ${command.path.join(' ')}`;
  return [
    `${name} — ${command.summary}`,
    '',
    `Usage: ${name}${command.usage ? ` ${command.usage}` : ''}`,
    ...(command.description ? ['', command.description] : []),
    ...(Object.keys(command.options).length > 0 ? ['', 'Options:', ...optionLines(command.options)] : []),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    EXIT_CODES_LINE,
    '',
  ].join('\n');
}

/** The usage up to its first option, e.g. `JOB_ID` of `JOB_ID [--verify]`. */
function firstWords(usage: string): string {
  const words: string[] = [];
  for (const word of usage.split(' ')) {
    if (word === '' || word === '|' || word.startsWith('-') || word.startsWith('[-')) {
      break;
    }
    words.push(word);
  }
  return words.join(' ');
}
