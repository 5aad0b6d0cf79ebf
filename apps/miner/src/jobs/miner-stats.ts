import { fromMicro, toMicro } from '@aitbc/contracts';

export type JobOutcomeKind = 'completed' | 'failed' | 'canceled' | 'interrupted';

export interface HistoryItem {
  job_id: string;
  summary: string;
  outcome: JobOutcomeKind;
  error_code: string | null;
  duration_ms: number | null;
  price: string | null;
  receipt_id: string | null;
  finished_at: string;
}

const HISTORY = 50;

/** Counters and recent history for /metrics and the dashboard. In memory: a restart starts them at zero. */
export class MinerStats {
  completed = 0;
  failed = 0;
  canceled = 0;
  private earningsMicro = 0;
  private readonly items: HistoryItem[] = [];

  record(item: HistoryItem): void {
    switch (item.outcome) {
      case 'completed':
        this.completed += 1;
        if (item.price !== null) {
          try {
            this.earningsMicro += toMicro(item.price);
          } catch {
            // a price we cannot parse is not earnings we can show
          }
        }
        break;
      case 'failed':
      case 'interrupted':
        this.failed += 1;
        break;
      case 'canceled':
        this.canceled += 1;
        break;
    }
    this.items.unshift(item);
    this.items.length = Math.min(this.items.length, HISTORY);
  }

  get earnings(): string {
    return fromMicro(this.earningsMicro);
  }

  get history(): readonly HistoryItem[] {
    return this.items;
  }
}
