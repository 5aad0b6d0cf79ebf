import { commandWords, intOption, keyValue, looseValue, parseCommandArgs } from './args';
import type { Command } from './command';

const groups = new Map([
  ['submit', new Set(['payment', 'prompt', 'constraint'])],
  ['admin', new Set(['state', 'status'])],
]);
const status: Command = {
  path: ['status'],
  summary: '',
  usage: '',
  options: { verify: { type: 'boolean', description: '' }, tag: { type: 'string', multiple: true, description: '' } },
  maxPositionals: 1,
  key: 'client',
  examples: [],
  run: () => Promise.resolve(0),
};

describe('commandWords', () => {
  it.each<[string[], string[]]>([
    [['status', 'abc'], ['status']],
    [['--url', 'http://x', '--json', 'status', 'abc'], ['status']],
    [['--url=http://x', 'status'], ['status']],
    [
      ['submit', 'inference', '--prompt', 'hi'],
      ['submit', 'inference'],
    ],
    [
      ['--api-key', 'k', 'admin', '--json', 'stats'],
      ['admin', 'stats'],
    ],
    [
      ['help', 'submit', 'inference'],
      ['help', 'submit', 'inference'],
    ],
    [
      ['submit', '--payment', '0.5', 'inference', '--prompt', 'hi'],
      ['submit', 'inference'],
    ],
    [
      ['submit', '--json', '--constraint', 'region=eu', '--wait', 'raw'],
      ['submit', 'raw'],
    ],
    [
      ['admin', '--state', 'queued', 'jobs'],
      ['admin', 'jobs'],
    ],
    [
      ['help', 'submit', '--payment', '0.5', 'sd'],
      ['help', 'submit', 'sd'],
    ],
    // a group's option before the group word, or given as --name=value, has no value to skip
    [['--payment', '0.5', 'submit', 'inference'], ['0.5']],
    [
      ['submit', '--payment=0.5', 'inference'],
      ['submit', 'inference'],
    ],
    // an option of another group is not skipped: its value is taken for the word
    [
      ['submit', '--state', 'queued', 'inference'],
      ['submit', 'queued'],
    ],
    [['--json'], []],
    [['--', 'status'], []],
  ])('%j → %j', (argv, words) => {
    expect(commandWords(argv, groups)).toEqual(words);
  });
});

describe('parseCommandArgs', () => {
  it('takes global options anywhere, the command words away, and repeatable options as lists', () => {
    expect(
      parseCommandArgs(['--json', 'status', 'abc', '--verify', '--tag', 'a', '--tag=b', '--url', 'u'], status),
    ).toEqual({
      values: { json: true, verify: true, tag: ['a', 'b'], url: 'u' },
      positionals: ['abc'],
    });
  });

  it.each<[string[], string]>([
    [['status', '--frob'], 'unknown option --frob'],
    [['status', '--url'], '--url needs a value'],
    [['status', '--tag', '--verify'], '--tag needs a value (write --tag=-… for a value that starts with "-")'],
    [['status', '--verify=yes'], '--verify takes no value'],
    [['status', 'a', 'b'], 'unexpected argument "b"'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseCommandArgs(argv, status)).toThrow(expect.objectContaining({ exitCode: 2, message }));
  });
});

describe('option values', () => {
  it('reads whole numbers and refuses anything else', () => {
    expect(intOption({ n: '42' }, 'n')).toBe(42);
    expect(intOption({ n: '-5' }, 'n')).toBe(-5);
    expect(intOption({}, 'n')).toBeUndefined();
    expect(() => intOption({ n: '4e2' }, 'n')).toThrow('--n must be a whole number (got "4e2")');
  });

  it('splits KEY=VALUE at the first = and reads values as JSON when they are', () => {
    expect(keyValue('url=http://x/?a=b', 'set')).toEqual(['url', 'http://x/?a=b']);
    expect(() => keyValue('=x', 'set')).toThrow('--set takes KEY=VALUE (got "=x")');
    expect([looseValue('5'), looseValue('true'), looseValue('[1]'), looseValue('"5"'), looseValue('eu-west')]).toEqual([
      5,
      true,
      [1],
      '5',
      'eu-west',
    ]);
  });
});
