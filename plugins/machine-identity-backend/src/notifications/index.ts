export * from './types';
export * from './ExpiryDigestNotifier';
export * from './InMemoryDigestLedger';
export * from './DatabaseDigestLedger';
export * from './scheduleExpiryDigests';
