/**
 * Ownership review benchmark: one Group owning 20,000 active identities
 * (`KEYRING_BENCH_REVIEW_IDENTITIES`). Opens its campaign (one INSERT … SELECT
 * plus the identities' `due` status), pages all its items 100 at a time, then
 * takes one bulk decision of 1,000 confirms (items, reviewed status and 1,000
 * audit events in one transaction). Peer baseline: a plain knex insert of the
 * same number of item rows into a scratch table. Service-level timings (no
 * HTTP); PostgreSQL pages are timed after ANALYZE.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DatabaseInventoryStores } from '../plugins/machine-identity-backend/src/database/DatabaseInventoryStores';
import { writeDiscoveries } from '../plugins/machine-identity-backend/src/inventory/writeDiscoveries';
import { OwnershipResolver } from '../plugins/machine-identity-backend/src/ownership/OwnershipResolver';
import { CampaignService } from '../plugins/machine-identity-backend/src/reviews/CampaignService';
import { DatabaseCampaignStore } from '../plugins/machine-identity-backend/src/database/DatabaseCampaignStore';
import { DatabaseReassignmentStore } from '../plugins/machine-identity-backend/src/database/DatabaseReassignmentStore';
import { InventoryReviewIdentityWriter } from '../plugins/machine-identity-backend/src/reviews/InventoryReviewIdentityWriter';
import { DecisionService } from '../plugins/machine-identity-backend/src/reviews/DecisionService';
import { onEachDatabase } from './_databases';

const TOTAL = Number(process.env.KEYRING_BENCH_REVIEW_IDENTITIES ?? 20_000);
const OWNER = 'group:default/payments';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function seed(knex: Knex) {
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
  for (let start = 0; start < TOTAL; start += 1000) {
    const discoveries = [];
    for (let n = start; n < Math.min(TOTAL, start + 1000); n++) {
      discoveries.push({
        type: 'tls-certificate' as const,
        fingerprintSha256: createHash('sha256').update(`review-bench-${n}`).digest('hex'),
        displayName: `svc-${n}.payments.example.test`,
        attributes: { keyAlgorithm: 'ecdsa', keySize: 256 },
        location: `127.0.${(n >> 8) & 255}.${n & 255}:8443`,
        ownerHint: { owner: OWNER, via: 'bench metadata' },
      });
    }
    await writeDiscoveries(stores, { scanId: 'seed', sourceId: 'bench', discoveries, now: new Date().toISOString(), resolveOwnership: resolver.resolve });
  }
  return stores;
}

async function benchDatabase(name: string, knex: Knex) {
  const stores = await seed(knex);
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => logger } as any;
  const identities = InventoryReviewIdentityWriter.create({ stores, reresolve: async () => undefined });
  const store = DatabaseCampaignStore.create({ db: knex });
  const settings = { everyMs: 90 * 86_400_000, dueInMs: 30 * 86_400_000, fallbackOwner: 'group:default/security' };
  const campaigns = CampaignService.create({ store, audit: stores.audit, identities, settings, logger });
  const decisions = DecisionService.create({
    campaigns: store,
    reassignments: DatabaseReassignmentStore.create({ db: knex }),
    audit: stores.audit,
    identities,
    evaluate: async () => undefined,
  });

  let t0 = performance.now();
  const [campaign] = await campaigns.open({ owner: OWNER, openedBy: 'user:default/erin' });
  const openSeconds = seconds(t0);
  // as autovacuum would shortly after a bulk change; without statistics PostgreSQL hash-joins every page
  if (name === 'PostgreSQL') await knex.raw('ANALYZE');

  t0 = performance.now();
  const pageMs: number[] = [];
  let cursor: string | undefined;
  let seen = 0;
  do {
    const p0 = performance.now();
    const page = await store.listItems(campaign.id, {}, { cursor, limit: 100 });
    pageMs.push(performance.now() - p0);
    seen += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  const pagingSeconds = seconds(t0);
  pageMs.sort((a, b) => a - b);

  const first = await store.listItems(campaign.id, { decision: 'undecided' }, { limit: 1000 });
  t0 = performance.now();
  const result = await decisions.decide(
    campaign.id,
    first.items.map(i => ({ identityId: i.identityId, decision: 'confirm' as const })),
    { userEntityRef: 'user:default/bob', ownershipEntityRefs: ['user:default/bob', OWNER] },
  );
  const decideSeconds = seconds(t0);

  await knex.schema.createTable('bench_plain_items', t => {
    t.string('campaign_id', 64);
    t.string('identity_id', 64);
  });
  t0 = performance.now();
  for (let i = 0; i < TOTAL; i += 500) {
    await knex('bench_plain_items').insert(
      Array.from({ length: Math.min(500, TOTAL - i) }, (_, j) => ({ campaign_id: 'x', identity_id: `id-${i + j}` })),
    );
  }
  const plainSeconds = seconds(t0);
  await knex.schema.dropTable('bench_plain_items');

  console.log(`${name}: opened a campaign of ${fmt(campaign.progress.total)} identities in ${openSeconds.toFixed(2)}s (peer baseline: plain insert of ${fmt(TOTAL)} item rows ${plainSeconds.toFixed(2)}s)`);
  console.log(`${name}: paged all ${fmt(seen)} items 100 at a time in ${pagingSeconds.toFixed(2)}s (${pageMs.length} pages, p50 ${pageMs[Math.floor(pageMs.length / 2)].toFixed(1)} ms, p99 ${pageMs[Math.floor(pageMs.length * 0.99)].toFixed(1)} ms)`);
  console.log(`${name}: one bulk decision of ${fmt(result.decided)} confirms (items, statuses, ${fmt(result.decided)} audit events, one transaction) in ${decideSeconds.toFixed(2)}s; progress ${result.campaign.progress.decided}/${result.campaign.progress.total}`);
}

export async function run(): Promise<void> {
  await onEachDatabase(benchDatabase);
}

if (process.argv[1]?.endsWith('reviews.ts')) {
  run().catch(error => {
    console.error(error);
    process.exitCode = 1;
  });
}
