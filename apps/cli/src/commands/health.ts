import type { Command } from '../command';
import { redactUrl } from '../config';
import { EXIT } from '../exit-codes';
import { fields } from '../output';

interface Health {
  status: string;
  env?: string;
  version?: string;
}

interface Readiness {
  status?: string;
  error?: { details?: { field: string; message: string }[] };
}

export const healthCommand: Command = {
  path: ['health'],
  summary: 'is the coordinator up and ready? (GET /v1/health and /health/ready)',
  usage: '',
  description: 'Exits 0 when the coordinator answers and is ready (database and queue up), 5 otherwise.',
  options: {},
  key: 'none',
  examples: ['aitbc health', 'aitbc --url https://coordinator.example health --json'],
  async run(ctx) {
    const health = await ctx.http.get<Health>('/v1/health');
    const ready = await ctx.http.send<Readiness>('GET', '/health/ready', { retry: 'never', answerStatuses: [503] });
    const isReady = ready.status === 200;
    const url = redactUrl(ctx.config.url);
    ctx.out.result({ url, health, ready: isReady, readiness: ready.body }, () =>
      [
        `${url}: ${health.status} (env ${health.env ?? '?'}, version ${health.version ?? '?'}), ${isReady ? 'ready' : 'NOT ready'}`,
        fields((ready.body?.error?.details ?? []).map(({ field, message }) => [`  ${field}`, message] as const)),
      ]
        .filter(Boolean)
        .join('\n'),
    );
    return isReady ? EXIT.ok : EXIT.unreachable;
  },
};
