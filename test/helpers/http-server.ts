import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a route answers once its programmed failures are used up. */
export type RouteBehaviour =
  /** Answer 200 with the body and a Content-Length. */
  | 'serve'
  /** Read the request and never answer (the client must time out or abort). */
  | 'hang'
  /** Send the headers (full Content-Length) and half the body, then destroy the connection. */
  | 'close-mid-body';

/** One path served by a {@link TestHttpServer}. */
export interface Route {
  readonly body: string | Uint8Array;
  /** Answer the first `failFirst` requests with `failStatus` (default 0). */
  readonly failFirst?: number;
  /** The status of programmed failures (default 503). */
  readonly failStatus?: number;
  /** What happens after the failures (default `serve`). */
  readonly behaviour?: RouteBehaviour;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What happened to one request. */
export type RequestOutcome = number | 'hung' | 'closed';

/** One request the server saw, in arrival order. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  /** The status sent, or how the answer was cut short. */
  outcome: RequestOutcome;
}

/** A real HTTP server on 127.0.0.1 for tests. */
export interface TestHttpServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request so far. */
  readonly requests: readonly RequestRecord[];
  /** Resolves once the server has seen at least `count` requests (no polling, no sleeping). */
  waitForRequests(count: number): Promise<void>;
  /** Stops the server, dropping open (and hung) connections. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 (port 0) serving `routes` (path → bytes, or a {@link Route}
 * with programmed failures); unknown paths get 404.
 *
 * @example
 * const server = await startHttpServer({ '/a.txt': { body: 'hi', failFirst: 2 } });
 * await fetch(`${server.url}/a.txt`); // 503, then 503, then 200 'hi'
 * await server.close();
 */
export async function startHttpServer(
  routes: Readonly<Record<string, string | Uint8Array | Route>>,
): Promise<TestHttpServer> {
  const requests: RequestRecord[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const record: RequestRecord = { method: request.method ?? 'GET', path, outcome: 404 };
    requests.push(record);
    const seen = counts.get(path) ?? 0;
    counts.set(path, seen + 1);
    const raw = routes[path];
    const route: Route | undefined = raw === undefined || isBytes(raw) ? wrap(raw) : raw;
    record.outcome = answer(route, seen, request, response);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

function isBytes(value: string | Uint8Array | Route): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array;
}

function wrap(body: string | Uint8Array | undefined): Route | undefined {
  return body === undefined ? undefined : { body };
}

function answer(
  route: Route | undefined,
  seen: number,
  request: IncomingMessage,
  response: ServerResponse,
): RequestOutcome {
  request.resume();
  if (route === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return 404;
  }
  if (seen < (route.failFirst ?? 0)) {
    const status = route.failStatus ?? 503;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(`programmed failure ${seen + 1}`);
    return status;
  }
  const body = Buffer.from(route.body);
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(body.length), ...route.headers };
  const behaviour = route.behaviour ?? 'serve';
  switch (behaviour) {
    case 'serve':
      response.writeHead(200, headers).end(body);
      return 200;
    case 'hang':
      return 'hung';
    case 'close-mid-body':
      response.writeHead(200, headers);
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
      return 'closed';
    default:
      return behaviour satisfies never;
  }
}
