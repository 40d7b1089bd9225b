import type {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { machineIdentityReadPermission } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import type { ApiRouter } from '../service/createApiRouter';
import { EvidenceQuery } from './EvidenceQuery';
import { readEvidenceQuery } from './readEvidenceQuery';
import { writeEvidence } from './writeEvidence';

/**
 * `GET /evidence` on the spec-validating {@link ApiRouter}: the compliance
 * evidence export (see openapi.yaml), streamed page by page. Needs
 * unconditional `machine-identity.read`.
 */
export function addEvidenceRoutes(
  router: ApiRouter,
  options: {
    db: Knex;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    logger: LoggerService;
  },
): void {
  const { httpAuth, permissions, logger } = options;
  const evidence = EvidenceQuery.create(options.db);

  router.get('/evidence', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    // An export spans the whole inventory: conditional (e.g. owner-only) read access is not enough.
    const [decision] = await permissions.authorizeConditional([{ permission: machineIdentityReadPermission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Exporting evidence needs unconditional ${machineIdentityReadPermission.name}${decision.result === AuthorizeResult.CONDITIONAL ? ' (the policy only grants it for some identities)' : ''}`,
      );
    }
    const now = new Date();
    const { scope, format } = readEvidenceQuery(req.query, now);
    const parts = await evidence.parts(scope);
    const counts = await Promise.all(parts.map(p => p.count()));
    const total = counts.reduce((a, b) => a + b, 0);
    const stamp = `${scope.from.slice(0, 10)}_${scope.to.slice(0, 10)}`;
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="keyring-evidence-${stamp}.${format}"`);
    res.setHeader('X-Evidence-Rows', String(total));
    res.setHeader('Cache-Control', 'no-store');
    const started = Date.now();
    try {
      const written = await writeEvidence({ out: res, format, scope, parts, counts, generatedAt: now.toISOString() });
      res.end();
      logger.info(
        `Exported ${written.toLocaleString('en-US')} evidence rows (${format}, ${scope.from} to ${scope.to}${scope.owner ? `, ${scope.owner}` : ''}) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
    } catch (error) {
      // headers are sent: the only honest signal left is a broken response
      logger.warn(`Evidence export stopped after ${((Date.now() - started) / 1000).toFixed(1)}s: ${error}`);
      res.destroy(error as Error);
    }
  });
}
