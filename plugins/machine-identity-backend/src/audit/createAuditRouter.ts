import { NotFoundError } from '@backstage/errors';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type express from 'express';
import Router from 'express-promise-router';
import type { AuditStore } from '../database/types';
import type { ReviewAuthority } from '../reviews/ReviewAuthority';
import { optionalTime } from '../reviews/reviewValidation';
import { checkParams, optionalCursor, optionalInt, optionalString } from '../service/validation';

/**
 * `GET /audit`: the append-only audit trail, newest first, paged. There is
 * deliberately no route that edits or deletes an event. Under a conditional
 * read policy a caller reads the events of one identity it may see
 * (`identityId`), or else only its own actions.
 */
export async function createAuditRouter(options: {
  authority: ReviewAuthority;
  audit: AuditStore;
  getIdentity: (id: string) => Promise<Identity | undefined>;
}): Promise<express.Router> {
  const { authority, audit } = options;
  const router = Router();
  router.get('/audit', async (req, res) => {
    const scope = await authority.readScope(req);
    checkParams(req.query, ['identityId', 'actor', 'campaignId', 'from', 'to', 'cursor', 'limit']);
    const identityId = optionalString(req.query, 'identityId', 200);
    let actor = optionalString(req.query, 'actor', 300)?.toLowerCase();
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
        {
          identityId,
          actor,
          campaignId: optionalString(req.query, 'campaignId', 200),
          from: optionalTime(req.query.from as string | undefined, 'from'),
          to: optionalTime(req.query.to as string | undefined, 'to'),
        },
        { cursor: optionalCursor(req.query), limit: optionalInt(req.query, 'limit', 1, 500) ?? 100 },
      ),
    );
  });
  return router;
}
