import https from 'node:https';
import tls from 'node:tls';
import * as acme from 'acme-client';

/** HTTPS agents by origin, for ACME directories served with a private CA's certificate. */
const agents = new Map<string, https.Agent>();
let installed = false;

/** How long one ACME request may take. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Makes acme-client's requests to `directoryUrl`'s origin trust `caBundlePem`
 * besides Node's roots. acme-client has one shared axios instance and no
 * per-client agent option, so one request interceptor picks the agent by
 * origin (and sets a timeout, which acme-client leaves unset).
 */
export function trustForDirectory(directoryUrl: string, caBundlePem: string | undefined): void {
  if (!installed) {
    acme.axios.interceptors.request.use(request => {
      const origin = request.url ? new URL(request.url, request.baseURL).origin : undefined;
      const agent = origin ? agents.get(origin) : undefined;
      if (agent) request.httpsAgent = agent;
      if (!request.timeout) request.timeout = REQUEST_TIMEOUT_MS;
      return request;
    });
    installed = true;
  }
  const origin = new URL(directoryUrl).origin;
  agents.get(origin)?.destroy();
  if (caBundlePem === undefined) {
    agents.delete(origin);
    return;
  }
  agents.set(origin, new https.Agent({ ca: [...tls.rootCertificates, caBundlePem] }));
}
