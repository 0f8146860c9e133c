/**
 * Stores that stop answering, for the timeout tests: a TCP server that accepts connections and
 * never says a word, and a proxy to a real store that can be frozen mid-run (it keeps every
 * connection open and forwards nothing more), as a store does under SIGSTOP.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface SilentServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A loopback TCP server that accepts every connection and never answers. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { port, close: () => closeAll(server, sockets) };
}

export interface FreezableProxy {
  readonly port: number;
  /** From now on nothing is forwarded, either way, on old or new connections. */
  freeze(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `host:port` that forwards until {@link FreezableProxy.freeze}. */
export async function startFreezableProxy(host: string, port: number): Promise<FreezableProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (frozen) return;
    const upstream = createConnection({ host, port });
    track(upstream);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const proxyPort = await listen(server);
  return {
    port: proxyPort,
    freeze: () => {
      frozen = true;
    },
    close: () => closeAll(server, sockets),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
