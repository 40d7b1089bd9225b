import { ResponseError } from '@backstage/errors';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from '../generated/openapi';

/**
 * The machine-identity REST API as a typed client: every path, parameter
 * and body typed from the OpenAPI spec (`npm run generate:api`). Pass the
 * backend's base URL per call (`baseUrl`, from the discovery service).
 *
 * @public
 */
export type MachineIdentityApiClient = Client<paths>;

/** Schemas of the spec by name, e.g. `ApiSchema<'ViolationListItem'>`. @public */
export type ApiSchema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** The query parameters of an operation, e.g. `ApiQuery<'listIdentities'>`. @public */
export type ApiQuery<Id extends keyof operations> = NonNullable<operations[Id]['parameters']['query']>;

/** Turns every non-2xx answer into a `ResponseError` carrying the backend's serialized error. */
const throwResponseErrors: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return undefined;
  },
};

/**
 * Creates the typed client over `fetch` (the frontend's `fetchApi.fetch`, or
 * a backend fetch that adds service credentials). Error answers throw
 * `ResponseError`.
 *
 * @public
 */
export function createMachineIdentityApiClient(options: {
  fetch: (request: Request) => Promise<Response>;
  headers?: () => Promise<Record<string, string>>;
}): MachineIdentityApiClient {
  const client = createClient<paths>({ fetch: options.fetch });
  const { headers } = options;
  if (headers) {
    client.use({
      async onRequest({ request }) {
        for (const [name, value] of Object.entries(await headers())) {
          request.headers.set(name, value);
        }
        return request;
      },
    });
  }
  client.use(throwResponseErrors);
  return client;
}

/**
 * The body of a successful call (error answers already threw
 * `ResponseError`); a call that answered without a body is a `TypeError`.
 *
 * @public
 */
export async function responseData<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, response } = await call;
  if (data === undefined) {
    throw new TypeError(`Empty answer from ${response.url || 'the machine-identity backend'}`);
  }
  return data;
}

/** Drops undefined and empty-string values, so unset filters are not sent. */
export function definedParams<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== ''),
  ) as T;
}
