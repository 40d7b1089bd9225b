import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Rewrites the body of a successful answer to one operation (XML for the Query API, JSON for `X-Amz-Target`). */
export type AnswerRewrite = (body: string) => string;

/**
 * A loopback relay in front of the AWS emulator: requests go through with
 * their bytes and headers unchanged (so SigV4 still verifies), and while
 * `rewrites` holds an entry for a request's operation (the Query API's
 * `Action`, or the JSON protocols' `X-Amz-Target` operation, as ACM's
 * `GetCertificate`), its 200 answer is rewritten — how a test serves a
 * partial answer (`GetPolicy` without `DefaultVersionId`) that AWS's own SDK
 * then parses.
 */
export async function startAnswerRewriter(target: string) {
  const rewrites = new Map<string, AnswerRewrite>();
  const upstream = new URL(target);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : new URLSearchParams(body.toString('utf8')).get('Action');
    const rewrite = rewrites.get(operation ?? '');
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

/** Every `<name>…</name>` element of an XML answer. */
const elements = (name: string) => new RegExp(`<${name}>[\\s\\S]*?</${name}>`, 'g');

/** Drops every `<name>…</name>` element from an XML answer. */
export const withoutElement = (name: string): AnswerRewrite => body => body.replace(elements(name), '');

/** Replaces the text of every `<name>…</name>` element of an XML answer with `text` (XML-escaped by the caller). */
export const replacingElement = (name: string, text: string): AnswerRewrite => body =>
  body.replace(elements(name), () => `<${name}>${text}</${name}>`);

/** Sets the top-level `field` of a JSON answer to `value`. */
export const replacingField = (field: string, value: unknown): AnswerRewrite => body =>
  JSON.stringify({ ...JSON.parse(body), [field]: value });
