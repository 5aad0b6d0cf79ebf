/** `GET /v1/health`: the seed's liveness answer. */
export interface HealthResponse {
  status: 'ok';
  env: string;
  version: string;
}
