import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { iamGroupHandlers } from './iamGroups';
import { iamRoleHandlers } from './iamRoles';
import { iamUserHandlers, type QueryHandler } from './iamUsers';
import { acmHandlers, assumeRole, secretsManagerHandlers, type JsonHandler } from './jsonServices';
import { parseAuthorization, verifySignature } from './sigv4';
import type { AwsCall, AwsFault, EmulatedAccount, EmulatedCaller } from './types';
import { AwsError, queryError, queryResponse, type XmlValue } from './xml';

/** Options of {@link AwsEmulator.start}. */
export interface AwsEmulatorOptions {
  accounts: EmulatedAccount[];
  /** Loopback address to bind (default `127.0.0.1`). */
  host?: string;
  /** Port (default: any free port). */
  port?: number;
  /** Keep every call in {@link AwsEmulator.calls} (default true; the bench turns it off). */
  recordCalls?: boolean;
}

const IAM: Record<string, QueryHandler> = { ...iamUserHandlers, ...iamRoleHandlers, ...iamGroupHandlers };
const JSON_TARGETS: Record<string, { service: AwsCall['service']; handlers: Record<string, JsonHandler> }> = {
  secretsmanager: { service: 'secretsmanager', handlers: secretsManagerHandlers },
  CertificateManager: { service: 'acm', handlers: acmHandlers },
};

interface ActiveFault extends AwsFault {
  matched: number;
  failed: number;
}

interface Answer {
  status: number;
  body: string;
  errorCode?: string;
}

/**
 * A loopback HTTP server that speaks AWS's wire formats: the IAM and STS
 * Query APIs (form-encoded POST, XML with `Marker`/`IsTruncated`, AWS error
 * XML) and the Secrets Manager and ACM JSON protocols (`X-Amz-Target`).
 * Every request must carry a valid Signature Version 4 signature from one of
 * an account's callers (that is how the account is chosen). Faults —
 * throttling, 5xx, truncated bodies — can be injected per operation.
 */
export class AwsEmulator {
  /** Calls answered, in order (unless `recordCalls: false`). */
  readonly calls: AwsCall[] = [];
  private readonly faults: ActiveFault[] = [];
  private readonly counts = new Map<string, number>();
  private sessions = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly accounts: EmulatedAccount[],
    private readonly recordCalls: boolean,
  ) {}

  /** Starts the emulator on loopback. */
  static async start(options: AwsEmulatorOptions): Promise<AwsEmulator> {
    const host = options.host ?? '127.0.0.1';
    if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
      throw new Error(`The AWS emulator binds to loopback only, not ${host}`);
    }
    const holder: { emulator?: AwsEmulator } = {};
    const server = createServer((req, res) => void holder.emulator!.handle(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
    holder.emulator = new AwsEmulator(server, url, options.accounts, options.recordCalls ?? true);
    return holder.emulator;
  }

  /** Serves a fault instead of the real answer for matching calls. */
  injectFault(fault: AwsFault): void {
    this.faults.push({ ...fault, matched: 0, failed: 0 });
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** How many times an operation was called (faulted calls included). */
  callCount(operation: string): number {
    return this.counts.get(operation) ?? 0;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const requestId = randomUUID();
    const target = req.headers['x-amz-target'];
    const json = typeof target === 'string' ? JSON_TARGETS[target.split('.')[0]] : undefined;
    let service: AwsCall['service'] = json?.service ?? 'iam';
    let operation = 'Unknown';
    let params: Record<string, unknown> = {};
    let answer: Answer;
    let accessKeyId: string | undefined;
    try {
      const credential = parseAuthorization(req.headers);
      accessKeyId = credential.accessKeyId;
      if (!json) service = credential.service === 'sts' ? 'sts' : 'iam';
      const { account, caller } = this.callerOf(credential.accessKeyId);
      verifySignature({ credential, secretAccessKey: caller.secretAccessKey, method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body });
      if (caller.sessionToken && req.headers['x-amz-security-token'] !== caller.sessionToken) {
        throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      }
      if (json) {
        operation = String(target).split('.')[1] ?? '';
        params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        answer = this.serveJson(operation, params, json.handlers, account);
      } else {
        const form = new URLSearchParams(body.toString('utf8'));
        operation = form.get('Action') ?? '';
        params = Object.fromEntries([...form].filter(([k]) => k !== 'Action' && k !== 'Version'));
        answer = this.serveQuery(service as 'iam' | 'sts', operation, form, account, requestId);
      }
    } catch (error) {
      answer = this.renderError(service, error, requestId);
    }
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    if (this.recordCalls) this.calls.push({ service, operation, params, status: answer.status, accessKeyId });
    res.statusCode = answer.status;
    res.setHeader('x-amzn-RequestId', requestId);
    res.setHeader('Content-Type', json ? 'application/x-amz-json-1.1' : 'text/xml');
    if (answer.errorCode && json) res.setHeader('x-amzn-ErrorType', answer.errorCode);
    res.end(answer.body);
  }

  private callerOf(accessKeyId: string): { account: EmulatedAccount; caller: EmulatedCaller } {
    for (const account of this.accounts) {
      const caller = account.callers.find(c => c.accessKeyId === accessKeyId);
      if (caller) return { account, caller };
    }
    throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  }

  /** The fault to serve for this call, if any (counts matches as it goes). */
  private faultFor(operation: string, params: Record<string, unknown>): ActiveFault | undefined {
    for (const f of this.faults) {
      if (f.operation && f.operation !== operation) continue;
      if (f.params && Object.entries(f.params).some(([k, v]) => String(params[k]) !== v)) continue;
      f.matched += 1;
      if (f.matched <= (f.after ?? 0)) continue;
      if (f.failed >= (f.times ?? 1)) continue;
      f.failed += 1;
      return f;
    }
    return undefined;
  }

  private serveQuery(service: 'iam' | 'sts', operation: string, form: URLSearchParams, account: EmulatedAccount, requestId: string): Answer {
    const params = Object.fromEntries(form);
    const fault = this.faultFor(operation, params);
    if (fault?.kind === 'throttle') throw new AwsError('Throttling', 'Rate exceeded', 400);
    if (fault?.kind === 'server-error') throw new AwsError('ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
    let result: Record<string, XmlValue> | undefined;
    if (service === 'sts') {
      if (operation !== 'AssumeRole') throw new AwsError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
      result = assumeRole(form, account, ++this.sessions).result;
    } else {
      const handler = Object.hasOwn(IAM, operation) ? IAM[operation] : undefined;
      if (!handler) throw new AwsError('InvalidAction', `Could not find operation ${operation} for version 2010-05-08`);
      result = handler(form, account);
    }
    const xml = queryResponse(service, operation, result, requestId);
    return { status: 200, body: fault?.kind === 'malformed' ? xml.slice(0, Math.floor(xml.length / 2)) : xml };
  }

  private serveJson(operation: string, body: Record<string, unknown>, handlers: Record<string, JsonHandler>, account: EmulatedAccount): Answer {
    const fault = this.faultFor(operation, body);
    if (fault?.kind === 'throttle') throw new AwsError('ThrottlingException', 'Rate exceeded', 400);
    if (fault?.kind === 'server-error') throw new AwsError('InternalServiceError', 'An error occurred on the server side.', 500);
    const handler = Object.hasOwn(handlers, operation) ? handlers[operation] : undefined;
    if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
    const text = JSON.stringify(handler(body, account));
    return { status: 200, body: fault?.kind === 'malformed' ? text.slice(0, Math.floor(text.length / 2)) : text };
  }

  private renderError(service: AwsCall['service'], error: unknown, requestId: string): Answer {
    const e = error instanceof AwsError ? error : new AwsError(service === 'iam' || service === 'sts' ? 'ServiceFailure' : 'InternalServiceError', String((error as Error)?.message ?? error), 500);
    if (service === 'iam' || service === 'sts') {
      return { status: e.status, errorCode: e.code, body: queryError(service, e.code, e.message, e.status >= 500 ? 'Receiver' : 'Sender', requestId) };
    }
    return { status: e.status, errorCode: e.code, body: JSON.stringify({ __type: e.code, message: e.message }) };
  }
}
