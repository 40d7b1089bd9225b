import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { asUser, waitForOwnership } from './api';
import { openSignedInAs, snap, useBrowser } from './browser';

/** Display names other e2e files look at: this test waives a rule of none of them. */
function namesOtherTestsUse(): string {
  return readdirSync(__dirname)
    .filter(f => f.endsWith('.ts') && f !== path.basename(__filename))
    .map(f => readFileSync(path.join(__dirname, f), 'utf8'))
    .join('\n');
}

describe('waiver requests in the browser, with two demo users', () => {
  const browser = useBrowser(() => waitForOwnership());

  it("a payments member requests a waiver on a violation, cannot approve it themself, and a second member approves it", async () => {
    const others = namesOtherTestsUse();
    const page = await asUser('user:default/bob', '/identities?owner=group:default/payments&violating=true&limit=200');
    const candidates = page.items.filter((i: any) => !others.includes(i.displayName));
    let target: { id: string; displayName: string; ruleId: string } | undefined;
    for (const identity of candidates) {
      const details = await asUser('user:default/bob', `/identities/${identity.id}`);
      const open = await asUser('user:default/bob', `/waiver-requests?identityId=${identity.id}&state=requested`);
      const rule = details.violations.find((v: any) => !v.ruleId.startsWith('any.') && !open.items.some((w: any) => w.ruleId === v.ruleId));
      if (rule) {
        target = { id: identity.id, displayName: identity.displayName, ruleId: rule.ruleId };
        break;
      }
    }
    expect(target, 'a payments identity with a violation no other e2e test looks at').toBeDefined();
    const { id, displayName, ruleId } = target!;

    // bob (payments) asks for the waiver from the Group's Machine identities tab
    const app = inject('appUrl');
    const bob = await openSignedInAs(browser(), 'bob', `${app}/catalog/default/group/payments/machine-identities?q=${encodeURIComponent(displayName)}`);
    await bob.getByRole('button', { name: new RegExp(`locations? of ${displayName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first().click({ timeout: 60_000 });
    const details = bob.getByTestId('machine-identity-row-details');
    await details.getByRole('button', { name: `Request waiver: ${ruleId}` }).click({ timeout: 30_000 });
    const dialog = bob.getByRole('dialog', { name: `Request a waiver of ${ruleId}` });
    await dialog.getByLabel(/Why is the violation acceptable/).fill('Replacement ships with the Q1 platform upgrade');
    await dialog.getByRole('button', { name: 'Request waiver' }).click();
    await details.getByTestId('waiver-requested').filter({ hasText: 'Waiver requested by user:default/bob' }).first().waitFor();
    await snap(bob, 'waiver-requested');

    const [request] = (await asUser('user:default/bob', `/waiver-requests?identityId=${id}&state=requested`)).items.filter((w: any) => w.ruleId === ruleId);
    expect(request).toMatchObject({ requestedBy: 'user:default/bob', reason: 'Replacement ships with the Q1 platform upgrade', owner: 'group:default/payments' });

    // bob cannot approve it: the API refuses, and the tab says why
    await bob.goto(`${app}/catalog/default/group/payments/ownership-review`);
    const own = bob.getByRole('listitem').filter({ hasText: `${ruleId} on ${displayName}` });
    await own.getByText('Requested by you').waitFor({ timeout: 60_000 });
    await own.getByRole('button', { name: 'Approve' }).click();
    await bob
      .getByTestId('waiver-decision-problem')
      .filter({ hasText: 'Separation of duties: user:default/bob requested this waiver and cannot also approve it; another person must decide' })
      .waitFor();
    await snap(bob, 'waiver-self-approval-refused');
    expect((await asUser('user:default/bob', `/waiver-requests?identityId=${id}&state=requested`)).items.map((w: any) => w.id)).toContain(request.id);

    // frank (payments too) approves it from the requests awaiting his approval
    const frank = await openSignedInAs(browser(), 'frank', `${app}/catalog/default/group/payments/ownership-review`);
    const item = frank.getByRole('listitem').filter({ hasText: `${ruleId} on ${displayName}` });
    await item.getByText('user:default/bob: Replacement ships with the Q1 platform upgrade').waitFor({ timeout: 60_000 });
    await item.getByRole('button', { name: 'Approve' }).click();
    await frank.getByText('Waiver approved').waitFor();
    await item.waitFor({ state: 'detached' });
    await snap(frank, 'waiver-approved');

    const approved = await asUser('user:default/frank', `/waiver-requests?identityId=${id}&state=approved`);
    expect(approved.items.find((w: any) => w.id === request.id)).toMatchObject({ decidedBy: 'user:default/frank', requestedBy: 'user:default/bob' });
    const after = await asUser('user:default/bob', `/identities/${id}`);
    expect(after.violations.map((v: any) => v.ruleId)).not.toContain(ruleId);
  });
});
