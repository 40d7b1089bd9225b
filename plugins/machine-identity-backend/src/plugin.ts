import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  type MachineIdentityRevoker,
  type MachineIdentityScanner,
  machineIdentityPolicyRulesExtensionPoint,
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
  machineIdentityServiceRegistryRef,
} from '@keyring/plugin-machine-identity-node';
import { DatabaseInventoryStores } from './database/DatabaseInventoryStores';
import { addEvidenceRoutes } from './evidence/evidenceRoutes';
import { DatabaseMachineIdentityService } from './facts/DatabaseMachineIdentityService';
import { OwnershipRefresher } from './ownership/OwnershipRefresher';
import { scheduleOwnershipRefresh } from './ownership/scheduleOwnershipRefresh';
import { OwnershipResolver } from './ownership/OwnershipResolver';
import { ExpiryDigestNotifier } from './notifications/ExpiryDigestNotifier';
import { ViolationDigestSource } from './notifications/ViolationDigestSource';
import { scheduleExpiryDigests } from './notifications/scheduleExpiryDigests';
import { CORE_POLICY_RULES } from './policy/coreRules';
import { DefaultPolicyEngine } from './policy/DefaultPolicyEngine';
import { PolicyRuleRegistry } from './policy/PolicyRuleRegistry';
import { PolicyEvaluation } from './policy/PolicyEvaluation';
import { ScanEngine } from './scanning/ScanEngine';
import { ScanSignals } from './signals/ScanSignals';
import { scheduleInventorySignals } from './signals/scheduleInventorySignals';
import { readSources } from './scanning/readSources';
import { RevokedCredentials } from './revocation/RevokedCredentials';
import { revokedReappearedRule } from './revocation/revokedReappearedRule';
import { setupRevocations } from './revocation/setupRevocations';
import { reviewOverdueRule } from './reviews/reviewOverdueRule';
import { setupReviews } from './reviews/setupReviews';
import { createSecretFingerprinter } from './secrets/SecretFingerprinter';
import { ViolationEvaluator } from './service/ViolationEvaluator';
import { createApiRouter } from './service/createApiRouter';
import { addInventoryRoutes } from './service/inventoryRoutes';
import { registerMachineIdentityPermissions } from './permissions';

/**
 * Keyring's backend plugin: the machine identity inventory, scans, ownership,
 * policy evaluation and REST API.
 */
export const machineIdentityPlugin = createBackendPlugin({
  pluginId: 'machine-identity',
  register(env) {
    const scanners: MachineIdentityScanner[] = [];
    env.registerExtensionPoint(machineIdentityScannersExtensionPoint, {
      addScanner: (...added) => {
        scanners.push(...added);
      },
    });
    const coreExtraRules = [reviewOverdueRule, revokedReappearedRule];
    const policyRules = PolicyRuleRegistry.create({ reserved: [...CORE_POLICY_RULES, ...coreExtraRules] });
    env.registerExtensionPoint(machineIdentityPolicyRulesExtensionPoint, {
      addPolicyRule: (...added) => policyRules.add(added),
    });
    const revokers: MachineIdentityRevoker[] = [];
    env.registerExtensionPoint(machineIdentityRevokersExtensionPoint, {
      addRevoker: (...added) => {
        revokers.push(...added);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        serviceRegistry: machineIdentityServiceRegistryRef,
      },
      async init(deps) {
        const { config, logger, database, scheduler, httpRouter, auth, catalog } = deps;
        const store = await DatabaseInventoryStores.create({ database });
        const access = registerMachineIdentityPermissions({
          registry: deps.permissionsRegistry,
          permissions: deps.permissions,
          getIdentity: id => store.identities.get(id),
        });
        // machineIdentityServiceRef: facts for other backend plugins, read from these tables.
        deps.serviceRegistry.provide(DatabaseMachineIdentityService.create(await database.getClient()));
        const resolver = OwnershipResolver.create({
          fallbackOwner: config.getOptionalString('machineIdentity.fallbackOwner'),
        });
        const policyEngine = DefaultPolicyEngine.fromConfig(config, {
          moduleRules: policyRules.list(),
          extraRules: coreExtraRules,
        });
        const revoked = RevokedCredentials.create();
        const policy = PolicyEvaluation.create({ engine: policyEngine, components: () => resolver.getIndex(), logger, revokedAt: revoked.get });
        const evaluator = ViolationEvaluator.create({ stores: store, policy, logger });
        const ownership = OwnershipRefresher.create({
          catalog,
          auth,
          logger,
          stores: store,
          resolver,
          evaluate: ids => evaluator.evaluate(ids),
        });
        const liveSignals = ScanSignals.create({ signals: deps.signals, changes: store.changes, logger });
        const scanEngine = ScanEngine.create({
          stores: store,
          scanners,
          sources: readSources(config),
          logger,
          scheduler,
          fingerprintSecret: await createSecretFingerprinter({ config, settings: store.settings }),
          resolveOwnership: resolver.resolve,
          policy,
          inputVersion: () => resolver.getIndex().version,
          maxRetirementShare: config.getOptionalNumber('machineIdentity.retirement.maxShare'),
          beforeScan: () => ownership.refreshComponents(),
          signals: liveSignals,
          afterScan: async outcome => {
            await revocations.verifier.afterScan(outcome);
          },
        });
        const revocations = await setupRevocations({
          ...deps,
          revokers,
          sources: readSources(config),
          getIdentity: id => store.identities.get(id),
          requestScan: id => scanEngine.requestScan(id),
          revoked,
          stores: store,
          access,
        });
        const reviews = await setupReviews({
          ...deps,
          stores: store,
          access,
          getIdentity: id => store.identities.get(id),
          knowsRule: id => policyEngine.knowsRule(id),
          evaluate: (ids, now) => evaluator.evaluate(ids, now),
          reresolve: ids => ownership.reresolveIdentities(ids),
          revocations: revocations.service,
        });
        await scanEngine.schedule();
        await scheduleInventorySignals({ scheduler, signals: liveSignals });

        await scheduleOwnershipRefresh({ config, scheduler, logger, refresher: ownership });
        await scheduler.scheduleTask({
          id: 'machine-identity-policy',
          frequency: { hours: 1 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            try {
              await evaluator.evaluateAll();
            } catch (error) {
              logger.error(`Scheduled policy evaluation failed: ${error}`);
            }
          },
        });
        // One digest per owner per day, across restarts and replicas (the notification_digests table).
        await scheduleExpiryDigests({
          config,
          scheduler,
          logger,
          notifier: ExpiryDigestNotifier.fromConfig(config, {
            notifications: deps.notifications,
            source: ViolationDigestSource.create({ violations: store.violations }),
            ledger: store.digests,
            logger,
          }),
        });

        // One spec-validating router; the revocation routes behind it receive requests it already validated.
        const api = await createApiRouter();
        addInventoryRoutes(api, {
          store,
          scanEngine,
          policyEngine,
          access,
          httpAuth: deps.httpAuth,
          userInfo: deps.userInfo,
          permissions: deps.permissions,
          logger,
        });
        reviews.addRoutes(api);
        addEvidenceRoutes(api, {
          db: await database.getClient(),
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          logger,
        });
        httpRouter.use(api);
        httpRouter.use(revocations.router);
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
