import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The coordinator's Prometheus registry: process metrics, HTTP traffic, and domain gauges read at scrape. */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'aitbc_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'aitbc_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (long-polls and event streams included), by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Records one answered request. The route is the matched template (`/v1/jobs/:job_id`), never the
   * raw URL, so ids cannot blow up the label set; requests that matched no route count as `unmatched`.
   */
  observe(method: string, route: string | undefined, status: number, seconds: number): void {
    const template = route ?? 'unmatched';
    this.httpRequests.inc({ method, route: template, status: String(status) });
    this.httpDuration.observe({ method, route: template }, seconds);
  }
}
