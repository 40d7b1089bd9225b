import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Rewrites the body of a successful Query API answer to one `Action`. */
export type AnswerRewrite = (body: string) => string;

/**
 * A loopback relay in front of the AWS emulator: requests go through with
 * their bytes and headers unchanged (so SigV4 still verifies), and while
 * `rewrites` holds an entry for a request's `Action`, its 200 answer is
 * rewritten — how a test serves a partial answer (`GetPolicy` without
 * `DefaultVersionId`) that AWS's own SDK then parses.
 */
export async function startAnswerRewriter(target: string) {
  const rewrites = new Map<string, AnswerRewrite>();
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const rewrite = rewrites.get(new URLSearchParams(body.toString('utf8')).get('Action') ?? '');
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      async answer => {
        const parts: Buffer[] = [];
        for await (const chunk of answer) parts.push(chunk as Buffer);
        let text = Buffer.concat(parts).toString('utf8');
        if (rewrite && answer.statusCode === 200) text = rewrite(text);
        const headers: IncomingHttpHeaders = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 500, headers);
        res.end(text);
      },
    );
    forwarded.on('error', error => {
      res.writeHead(502);
      res.end(String(error));
    });
    forwarded.end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    rewrites,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

/** Drops every `<name>…</name>` element from an XML answer. */
export const withoutElement = (name: string): AnswerRewrite => body => body.replace(new RegExp(`<${name}>[\\s\\S]*?</${name}>`, 'g'), '');
