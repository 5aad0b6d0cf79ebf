import type { Command } from '../command';
import { listMiners, MINER_OPTIONS } from './admin';

export const minersCommand: Command = {
  path: ['miners'],
  summary: 'the registered miners (as `aitbc admin miners`; an admin key)',
  usage: '[--status STATUS]',
  options: MINER_OPTIONS,
  key: 'admin',
  examples: ['aitbc miners', 'aitbc miners --status online'],
  run: (ctx, { values }) => listMiners(ctx, values),
};
