/** Limits of the mass-removal guard (`machineIdentity.catalog.removalGuard`). */
export interface RemovalGuardLimits {
  maxShare: number;
  minCount: number;
}

/**
 * Why removing `count` of the `held` entities is refused, or undefined when
 * it is allowed: nothing is removed when the feed came back empty (`desired`
 * 0), and never more than `maxShare` of them when that is also more than
 * `minCount`.
 */
export function removalRefusal(
  count: number,
  held: number,
  desired: number,
  { maxShare, minCount }: RemovalGuardLimits,
): string | undefined {
  if (count === 0) return undefined;
  if (desired === 0) {
    return (
      `Refusing to remove ${count.toLocaleString('en-US')} MachineIdentity entities: the ` +
      `machine-identity change feed came back empty while the catalog holds ${held.toLocaleString('en-US')}. ` +
      `If the inventory really is empty, remove the entities by hand.`
    );
  }
  if (count > minCount && count > maxShare * held) {
    return (
      `Refusing to remove ${count.toLocaleString('en-US')} of ${held.toLocaleString('en-US')} ` +
      `MachineIdentity entities (${((100 * count) / held).toFixed(0)} %) in one reconcile: more ` +
      `than ${(100 * maxShare).toFixed(0)} % and more than ${minCount} ` +
      `(machineIdentity.catalog.removalGuard). Check the inventory's last scans.`
    );
  }
  return undefined;
}
