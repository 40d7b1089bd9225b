import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter } from '../schema/openapi/generated/router';

/** The router generated from `src/schema/openapi.yaml`, typed by its operations. */
export type ApiRouter = Awaited<ReturnType<typeof createOpenApiRouter>>;

/** Routes whose JSON bodies may exceed the default limit: decision batches of up to 1,000 items. */
const LARGE_BODY_ROUTES = ['/reviews/campaigns/:id/decisions'];

/**
 * The one router of the REST API: it parses JSON bodies (16 kB, 1 MB for
 * decision batches) and validates every request against openapi.yaml before
 * a handler runs, answering 400 `InputError` for anything the spec does not
 * allow. Feature folders add their handlers to it (`add…Routes`).
 */
export async function createApiRouter(): Promise<ApiRouter> {
  const bodies = Router();
  bodies.use(LARGE_BODY_ROUTES, express.json({ limit: '1mb' }));
  // A body parsed above is not parsed again.
  bodies.use(express.json({ limit: '16kb' }));
  return createOpenApiRouter({ middleware: [bodies] });
}
