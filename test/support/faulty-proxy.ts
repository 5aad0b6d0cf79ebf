import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request: pass it on, pass it on but lose the answer, answer itself,
 * pass on a rewritten JSON body, or `refuse`: drop the connection before anything reaches the
 * coordinator (to the client, exactly what a coordinator that went away looks like: no status).
 */
export type ProxyAction =
  'forward' | 'lose-answer' | 'refuse' | { status: number; body: unknown } | { rewrite: (body: unknown) => unknown };

export interface SeenByProxy {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** when it arrived (`Date.now()`) */
  at: number;
  /** what the proxy did with it */
  action: ProxyAction;
  /** the upstream status, when the request reached it */
  upstreamStatus: number | null;
}

export interface FaultyProxy {
  url: string;
  requests: SeenByProxy[];
  /** Drops every open connection at once, requests in flight included (a coordinator that just died). */
  cutAll(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a coordinator that misbehaves on cue: `decide` sees each request (and
 * how many came before it) and picks its fate. `lose-answer` lets the coordinator do the work, then
 * drops the connection before a byte of the answer reaches the client: a lost response.
 */
export async function startFaultyProxy(
  target: string,
  decide: (request: IncomingMessage, index: number) => ProxyAction,
): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const requests: SeenByProxy[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const action = decide(request, requests.length);
    const seen: SeenByProxy = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      at: Date.now(),
      action,
      upstreamStatus: null,
    };
    requests.push(seen);
    if (action === 'refuse') {
      request.socket.destroy();
      return;
    }
    if (typeof action === 'object' && 'status' in action) {
      request.resume();
      response.writeHead(action.status, { 'content-type': 'application/json' }).end(JSON.stringify(action.body));
      return;
    }
    const headers = { ...request.headers, host: upstream.host };
    if (typeof action === 'object') {
      delete headers['content-length'];
      headers['transfer-encoding'] = 'chunked';
    }
    const outgoing = forward(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers },
      (answer) => {
        seen.upstreamStatus = answer.statusCode ?? null;
        if (action === 'lose-answer') {
          // let the coordinator finish (the job exists), then cut the client off
          answer.resume();
          answer.once('end', () => request.socket.destroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.once('error', () => request.socket.destroy());
    // cut off before the coordinator answered (a long poll, say): abandon the upstream call too
    response.once('close', () => {
      if (seen.upstreamStatus === null) {
        outgoing.destroy();
      }
    });
    if (typeof action === 'object') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.once('end', () =>
        outgoing.end(JSON.stringify(action.rewrite(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown))),
      );
    } else {
      request.pipe(outgoing);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutAll: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
