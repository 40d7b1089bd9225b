import { NotFoundError } from '@backstage/errors';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { AuditStore } from '../database/types';
import type { ReviewAuthority } from '../reviews/ReviewAuthority';
import { utcTime } from '../reviews/reviewInput';
import type { ApiRouter } from '../service/createApiRouter';
import { cursorParam } from '../service/validation';

/**
 * `GET /audit` on the spec-validating {@link ApiRouter}: the append-only
 * audit trail, newest first, paged. There is deliberately no route that edits
 * or deletes an event. Under a conditional read policy a caller reads the
 * events of one identity it may see (`identityId`), or else only its own
 * actions.
 */
export function addAuditRoutes(
  router: ApiRouter,
  options: {
    authority: ReviewAuthority;
    audit: AuditStore;
    getIdentity: (id: string) => Promise<Identity | undefined>;
  },
): void {
  const { authority, audit } = options;
  router.get('/audit', async (req, res) => {
    const scope = await authority.readScope(req);
    const { identityId, campaignId, from, to, cursor, limit } = req.query;
    let actor = req.query.actor?.toLowerCase();
    if (scope.filter && identityId) {
      const identity = await options.getIdentity(identityId);
      if (!identity || !(await authority.canRead(scope, identity))) {
        throw new NotFoundError(`No identity with id "${identityId.slice(0, 100)}"`);
      }
    } else if (scope.filter) {
      actor = scope.caller?.userEntityRef ?? '(none)';
    }
    res.json(
      await audit.list(
        { identityId, actor, campaignId, from: utcTime(from, 'from'), to: utcTime(to, 'to') },
        { cursor: cursorParam(cursor), limit: limit ?? 100 },
      ),
    );
  });
}
