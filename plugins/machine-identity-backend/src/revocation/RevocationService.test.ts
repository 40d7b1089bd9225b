import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { identityId } from '../database/identityId';
import { revocationFixture, testSettings } from './revocationTestKit';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const key = (n: number, location = `web-01:/home/deploy/.ssh/authorized_keys:${n}`) =>
  discovery(n, {
    type: 'ssh-key',
    location,
    details: { host: 'web-01', account: 'deploy', file: '/home/deploy/.ssh/authorized_keys', line: n },
  });

describe('RevocationService', () => {
  it.each(databases.eachSupportedId())(
    'records a request, refuses self-approval, lets a second person approve, audits every step in order (%p)',
    async databaseId => {
      const f = await revocationFixture(await databases.init(databaseId));
      const [id] = await f.completeScan('fleet', [key(3)]);
      const request = await f.service.request({ identityId: id, reason: 'service retired', requestedBy: 'user:default/alice' });
      expect(request).toMatchObject({
        state: 'requested',
        trigger: 'manual',
        requestedBy: 'user:default/alice',
        places: [{ sourceId: 'fleet', location: 'web-01:/home/deploy/.ssh/authorized_keys:3', place: 'fleet|web-01:/home/deploy/.ssh/authorized_keys' }],
        identityType: 'ssh-key',
      });
      expect(Date.parse(request.expiresAt!) - Date.parse(request.requestedAt)).toBe(testSettings.approvalTimeoutMs);

      await expect(f.service.request({ identityId: id, reason: 'again', requestedBy: 'user:default/bob' })).rejects.toThrow(
        new RegExp(`already has an open revocation request ${request.id}`),
      );
      await expect(f.service.approve(request.id, 'user:default/Alice')).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('separation of duties requires a second person'),
      });
      await expect(f.service.reject(request.id, 'user:default/bob', '  ')).rejects.toMatchObject({ name: 'InputError' });

      expect((await f.getIdentity(id))?.state).toBe('active');
      const approved = await f.service.approve(request.id, 'user:default/bob', 'confirmed with the team');
      expect((await f.getIdentity(id))?.state).toBe('pending-revocation');
      expect(approved).toMatchObject({ state: 'approved', decidedBy: 'user:default/bob', decisionComment: 'confirmed with the team' });
      await expect(f.service.approve(request.id, 'user:default/carol')).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('is approved; it cannot become approved'),
      });
      expect(await f.audit(id)).toEqual(expect.arrayContaining(['revocation-requested', 'revocation-approved']));
      expect((await f.audit(id)).filter(a => a.startsWith('revocation-') || a === 'pending-revocation')).toEqual([
        'revocation-requested',
        'revocation-approved',
        'pending-revocation',
      ]);
      const approvedEvent = await f.knex('audit_events').where({ identity_id: id, action: 'revocation-approved' }).first();
      expect(approvedEvent).toMatchObject({ actor: 'user:default/bob', comment: 'confirmed with the team' });
      expect(JSON.parse(approvedEvent.before)).toEqual({ requestId: request.id, state: 'requested' });
      expect(JSON.parse(approvedEvent.after)).toEqual({ requestId: request.id, state: 'approved' });
      expect(f.sent.map(n => n.payload.title)).toEqual([
        'Revocation requested: identity-3.example.test',
        'Revocation approved: identity-3.example.test',
      ]);
      expect(f.sent[1].recipients).toEqual({ type: 'entity', entityRef: ['user:default/alice', 'user:default/bob', 'group:default/security'] });
    },
  );

  it.each(databases.eachSupportedId())('rejects with a comment and refuses unknown and gone identities (%p)', async databaseId => {
    const f = await revocationFixture(await databases.init(databaseId));
    const [id] = await f.completeScan('fleet', [key(6)]);
    const request = await f.service.request({ identityId: id, reason: 'unused', requestedBy: 'user:default/alice' });
    const rejected = await f.service.reject(request.id, 'user:default/bob', 'still used by the batch job');
    expect(rejected).toMatchObject({ state: 'rejected', decisionComment: 'still used by the batch job' });
    await expect(f.service.get('nope')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(f.service.request({ identityId: 'nope', reason: 'x', requestedBy: 'user:default/a' })).rejects.toMatchObject({ name: 'NotFoundError' });
    await f.completeScan('fleet', []);
    await expect(f.service.request({ identityId: id, reason: 'x', requestedBy: 'user:default/a' })).rejects.toThrow(/is gone: there is no live credential/);
    expect(identityId('ssh-key', discovery(6).fingerprintSha256)).toBe(id);
  });

  it.each(databases.eachSupportedId())('expires a request nobody approved in time (%p)', async databaseId => {
    const f = await revocationFixture(await databases.init(databaseId));
    const [id] = await f.completeScan('fleet', [key(9)]);
    const request = await f.service.request({ identityId: id, reason: 'unused', requestedBy: 'user:default/alice' });
    f.advance(testSettings.approvalTimeoutMs + 1);
    await expect(f.service.approve(request.id, 'user:default/bob')).rejects.toThrow(/expired at .* before it was approved/);
    expect((await f.service.get(request.id)).state).toBe('expired');
    expect(await f.audit(id)).toContain('revocation-expired');
  });

  it.each(databases.eachSupportedId())('lists by state, owner and Component with a cursor (%p)', async databaseId => {
    const f = await revocationFixture(await databases.init(databaseId));
    const ids = await f.completeScan('fleet', [key(12), key(15), key(18)]);
    for (const id of ids) {
      await f.service.request({ identityId: id, reason: 'r', requestedBy: 'user:default/alice', entityRef: 'component:default/old' });
      f.advance(1000);
    }
    const first = await f.service.list({ state: 'requested', entityRef: 'component:default/old' }, { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await f.service.list({ state: 'requested' }, { limit: 2, cursor: first.nextCursor });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    expect(new Set([...first.items, ...second.items].map(r => r.identityId))).toEqual(new Set(ids));
    expect((await f.service.list({ owner: 'group:default/security' }, { limit: 10 })).items).toHaveLength(3);
    expect((await f.service.list({ state: 'approved' }, { limit: 10 })).items).toHaveLength(0);
  });
});
