import { mockCredentials } from '@backstage/backend-test-utils';
import { wrapServer } from '@backstage/backend-openapi-utils/testUtils';
import type { Express } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';

const API = '/api/machine-identity';

/**
 * What `wrapServer` needs from an express app: `listen(port)`. Forwards every
 * request to the running test backend, and serves the plugin's
 * `/openapi.json` at the root, where the validating proxy looks for it.
 */
function forwarderTo(backend: http.Server): Express {
  const { port } = backend.address() as AddressInfo;
  const server = http.createServer((req, res) => {
    const spec = req.url === '/openapi.json';
    const headers = { ...req.headers, ...(spec ? { authorization: mockCredentials.service.header() } : {}) };
    const upstream = http.request(
      { host: '127.0.0.1', port, method: req.method, path: spec ? `${API}/openapi.json` : req.url, headers },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  return { listen: (p: number) => server.listen(p, '127.0.0.1') } as unknown as Express;
}

/**
 * A supertest agent whose every request and response passes through
 * backend-openapi-utils' validating proxy, which checks both against
 * openapi.yaml: a field a handler sends that the spec does not describe the
 * same way fails the test run.
 */
export async function specCheckingClient(backend: { server: http.Server }) {
  // supertest 7 wants an AddressInfo from address(); the wrapped server gives the proxy's URL.
  const wrapped = (await wrapServer(forwarderTo(backend.server))) as unknown as { address(): URL };
  return request(wrapped.address().origin);
}
