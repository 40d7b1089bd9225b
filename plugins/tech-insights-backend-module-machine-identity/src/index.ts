/**
 * Tech Insights module: machine identity compliance facts per Component and
 * Group, and a default scorecard of JSON rules engine checks.
 *
 * @packageDocumentation
 */
export { techInsightsModuleMachineIdentity as default } from './module';
export { defaultMachineIdentityChecks, type MachineIdentityCheckMetadata } from './defaultChecks';
export { MACHINE_IDENTITY_FACT_RETRIEVER_ID, machineIdentityFactSchema } from './factSchema';
