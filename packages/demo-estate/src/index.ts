/**
 * A small local estate for Keyring's demo, end-to-end tests and benchmarks.
 *
 * @packageDocumentation
 */
export * from './certificates';
export * from './DemoEstate';
export * from './sshFleet';
