/** A `metav1.Status` failure as the apiserver sends it. */
export interface ApiStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  429: 'Too many requests, please try again later.',
  500: 'Internal error occurred: etcdserver: request timed out',
  503: 'the server is currently unable to handle the request',
  504: 'The list operation timed out',
};

/** A failure Status with the apiserver's reason for `code` and its usual message. */
export function failureStatus(code: number, message?: string, extra: Partial<ApiStatus> = {}): ApiStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: message ?? MESSAGES[code] ?? `HTTP ${code}`,
    reason: REASONS[code] ?? 'Unknown',
    code,
    ...extra,
  };
}

/** The apiserver's 410 for a continue token older than the last compaction, with an inconsistent-continue token. */
export function expiredStatus(inconsistentContinue: string): ApiStatus {
  return failureStatus(
    410,
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    { metadata: { continue: inconsistentContinue } },
  );
}

/** `secrets "name" not found`. */
export function notFoundStatus(plural: string, name: string, group = ''): ApiStatus {
  const resource = group ? `${plural}.${group}` : plural;
  return failureStatus(404, `${resource} "${name}" not found`, { details: { name, group: group || undefined, kind: plural } });
}

/** A continue token as the apiserver makes one: base64 of `{"v":"meta.k8s.io/v1","rv":…,"start":…}`. */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

/** A decoded continue token, or undefined when it is not one. */
export function decodeContinue(token: string): { rv: number; start: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (parsed?.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') return undefined;
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    return undefined;
  }
}
