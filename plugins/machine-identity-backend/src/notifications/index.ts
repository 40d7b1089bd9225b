export * from './types';
export * from './ExpiryDigestNotifier';
export * from './InMemoryDigestLedger';
export * from './scheduleExpiryDigests';
