import {
  type InventoryChangedSignal,
  inventoryChangedChannel,
} from '@keyring/plugin-machine-identity-common';
import { useSignal } from '@backstage/plugin-signals-react';
import { useEffect, useRef } from 'react';

/** Signals arriving closer together than this reload once (a scan signals after every batch). */
const SETTLE_MS = 1000;

/**
 * Calls `reload` when the backend signals that identities owned by, or
 * running in, `entityRef` changed (`machine-identity:inventory:<ref>`),
 * once per burst of signals. Without the signals plugin in the app, or
 * without an entity, it does nothing: the view stays as loaded.
 */
export function useReloadOnInventoryChange(entityRef: string | undefined, reload: () => void): void {
  const { lastSignal } = useSignal<InventoryChangedSignal>(inventoryChangedChannel(entityRef ?? ''));
  const latestReload = useRef(reload);
  latestReload.current = reload;
  useEffect(() => {
    if (!lastSignal || !entityRef) return undefined;
    const timer = setTimeout(() => latestReload.current(), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [lastSignal, entityRef]);
}
