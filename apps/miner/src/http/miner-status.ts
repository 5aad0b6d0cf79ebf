import type { MinerConfig } from '../config';
import type { MinerAgent } from '../agent/miner-agent';

/** The daemon's state as the dashboard and /v1/status show it. No keys, no payloads. */
export async function minerStatus(agent: MinerAgent, config: MinerConfig) {
  const now = Date.now();
  const stats = agent.executor.stats;
  return {
    status: agent.state,
    miner_id: agent.minerId ?? config.minerId,
    coordinator: {
      url: config.coordinatorUrl,
      state: agent.coordinator,
      last_contact_at: agent.lastContactAt?.toISOString() ?? null,
    },
    concurrency: config.concurrency,
    capabilities: agent.capabilities,
    gpus: await agent.gpus(),
    running: [...agent.executor.running.values()].map((job) => ({
      job_id: job.entry.job_id,
      summary: job.entry.summary,
      attempt: job.entry.attempt,
      runner: job.runner,
      elapsed_ms: now - job.startedAt,
    })),
    pending_reports: agent.executor.pendingReports,
    totals: { completed: stats.completed, failed: stats.failed, canceled: stats.canceled, earnings: stats.earnings },
    history: stats.history,
  };
}

export type MinerStatus = Awaited<ReturnType<typeof minerStatus>>;

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text exposition (format 0.0.4) of a status snapshot. */
export function prometheusText(status: MinerStatus): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      lines.push(`${name}${labels} ${value}`);
    }
  };
  metric('aitbc_miner_up', 'gauge', 'The miner is registered and taking jobs (1) or not (0).', [
    ['', status.status === 'online' ? 1 : 0],
  ]);
  metric('aitbc_miner_coordinator_reachable', 'gauge', 'The coordinator answered the last call.', [
    ['', status.coordinator.state === 'reachable' ? 1 : 0],
  ]);
  metric('aitbc_miner_jobs_running', 'gauge', 'Jobs running now.', [['', status.running.length]]);
  metric('aitbc_miner_concurrency', 'gauge', 'Jobs this miner runs at once.', [['', status.concurrency]]);
  metric('aitbc_miner_jobs_completed_total', 'counter', 'Jobs completed since start.', [['', status.totals.completed]]);
  metric('aitbc_miner_jobs_failed_total', 'counter', 'Jobs reported failed since start.', [['', status.totals.failed]]);
  metric('aitbc_miner_jobs_canceled_total', 'counter', 'Jobs canceled by the coordinator since start.', [
    ['', status.totals.canceled],
  ]);
  metric('aitbc_miner_reports_pending', 'gauge', 'Job reports waiting for the coordinator.', [
    ['', status.pending_reports],
  ]);
  metric('aitbc_miner_earnings_aitbc_total', 'counter', 'AITBC earned from receipts since start.', [
    ['', Number(status.totals.earnings)],
  ]);
  const gpu = (reading: MinerStatus['gpus'][number], index: number) =>
    `{gpu="${index}",name="${escapeLabel(reading.name)}"${reading.uuid ? `,uuid="${escapeLabel(reading.uuid)}"` : ''}}`;
  const known = <K extends 'utilization_percent' | 'memory_free_mb'>(key: K) =>
    status.gpus.flatMap((reading, index): [string, number][] =>
      reading[key] === null ? [] : [[gpu(reading, index), reading[key]]],
    );
  metric('aitbc_miner_gpus', 'gauge', 'NVIDIA GPUs seen by nvidia-smi.', [['', status.gpus.length]]);
  metric('aitbc_miner_gpu_utilization_ratio', 'gauge', 'GPU utilisation (0..1), when the driver reports it.', [
    ...known('utilization_percent').map(([labels, value]): [string, number] => [labels, value / 100]),
  ]);
  metric('aitbc_miner_gpu_memory_free_bytes', 'gauge', 'Free VRAM, when the driver reports it.', [
    ...known('memory_free_mb').map(([labels, value]): [string, number] => [labels, value * 1024 * 1024]),
  ]);
  metric(
    'aitbc_miner_gpu_memory_total_bytes',
    'gauge',
    'Total VRAM.',
    status.gpus.map((reading, index): [string, number] => [gpu(reading, index), reading.memory_total_mb * 1024 * 1024]),
  );
  return `${lines.join('\n')}\n`;
}
