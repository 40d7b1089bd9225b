import { machineIdentityReadPermission } from '@keyring/plugin-machine-identity-common';
import type express from 'express';
import Router from 'express-promise-router';
import type { AuditStore } from '../database/types';
import type { ReviewAuthority } from '../reviews/ReviewAuthority';
import { optionalTime } from '../reviews/reviewValidation';
import { checkParams, optionalCursor, optionalInt, optionalString } from '../service/validation';

/**
 * `GET /audit`: the append-only audit trail, newest first, paged. There is
 * deliberately no route that edits or deletes an event.
 */
export async function createAuditRouter(options: {
  authority: ReviewAuthority;
  audit: AuditStore;
}): Promise<express.Router> {
  const { authority, audit } = options;
  const router = Router();
  router.get('/audit', async (req, res) => {
    await authority.reader(req, machineIdentityReadPermission);
    checkParams(req.query, ['identityId', 'actor', 'campaignId', 'from', 'to', 'cursor', 'limit']);
    res.json(
      await audit.list(
        {
          identityId: optionalString(req.query, 'identityId', 200),
          actor: optionalString(req.query, 'actor', 300)?.toLowerCase(),
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
