import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, pass it on but lose the answer, or answer itself. */
export type ProxyAction = 'forward' | 'lose-answer' | { status: number; body: unknown };

export interface SeenByProxy {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** the upstream status, when the request reached it */
  upstreamStatus: number | null;
}

export interface FaultyProxy {
  url: string;
  requests: SeenByProxy[];
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
    const seen: SeenByProxy = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      upstreamStatus: null,
    };
    const action = decide(request, requests.length);
    requests.push(seen);
    if (typeof action === 'object') {
      request.resume();
      response.writeHead(action.status, { 'content-type': 'application/json' }).end(JSON.stringify(action.body));
      return;
    }
    const outgoing = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
      },
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
    request.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
