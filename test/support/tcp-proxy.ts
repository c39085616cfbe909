// A TCP proxy in front of PostgreSQL that a test can cut and restore: what a replica sees when the
// database restarts (every connection reset, new ones refused until it is back) without stopping
// the server every other test file is using at the same moment. With `delayMs`, every chunk is
// held that long in each direction: a database on another machine, for `npm run bench:replicas`.
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Resets every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Forwards `from` to `to`, each chunk `delayMs` later (equal delays keep the order). */
function forward(from: net.Socket, to: net.Socket, delayMs: number): void {
  if (delayMs <= 0) {
    from.pipe(to);
    return;
  }
  from.on('data', (chunk: Buffer) => setTimeout(() => to.writable && to.write(chunk), delayMs));
}

export async function startTcpProxy(target: { host: string; port: number; delayMs?: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    forward(client, upstream, target.delayMs ?? 0);
    forward(upstream, client, target.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
