import type { Role } from '../../config';

/** Who is calling: a configured key's name (never the key) and its role. */
export interface Principal {
  id: string;
  role: Role;
  /** for miner keys: the daemon this request speaks for (`<key name>` or `<key name>/<X-Miner-ID>`) */
  minerId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
