/**
 * Tech Insights module: machine identity compliance facts and checks (planned).
 *
 * @packageDocumentation
 */
export { techInsightsModuleMachineIdentity as default } from './module';
