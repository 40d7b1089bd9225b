import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

/** A port on `host` where nothing listens (bound once, then released). */
export async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Servers started by a test, closed together. */
export class TestServers {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();

  private track<T extends net.Server>(server: T): T {
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    });
    server.on('secureConnection', (s: net.Socket) => s.on('error', () => undefined));
    server.on('tlsClientError', () => undefined);
    this.servers.push(server);
    return server;
  }

  private listen(server: net.Server, host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  /** A TLS server presenting `cert` (leaf first, then chain) on host:port (port 0 = any). */
  tls(host: string, port: number, options: tls.TlsOptions): Promise<number> {
    return this.listen(this.track(tls.createServer(options, s => s.end())), host, port);
  }

  /** A TCP server that accepts and never says a word. */
  silent(host: string, port: number): Promise<number> {
    return this.listen(this.track(net.createServer(() => undefined)), host, port);
  }

  /** A TCP server that answers with garbage bytes, then keeps sending. */
  garbage(host: string, port: number): Promise<number> {
    return this.listen(
      this.track(
        net.createServer(s => {
          s.write(Buffer.from('\x16\x03\x01\xff\xff not tls at all \x00\x01\x02'));
          s.write(Buffer.alloc(4096, 0x41));
        }),
      ),
      host,
      port,
    );
  }

  /** A plain HTTP server. */
  http(host: string, port: number): Promise<number> {
    return this.listen(this.track(http.createServer((_req, res) => res.end('hello'))), host, port);
  }

  async closeAll(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map(s => new Promise(resolve => s.close(resolve))));
  }
}
