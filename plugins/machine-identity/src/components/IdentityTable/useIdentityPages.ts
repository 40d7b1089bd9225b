import { useApi } from '@backstage/core-plugin-api';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  IdentityQuery,
  machineIdentityApiRef,
} from '../../api/MachineIdentityApi';

/** State of a server-paginated identity list. */
export interface IdentityPages {
  items: Identity[];
  /** Whether the server has more pages. */
  hasMore: boolean;
  /** Every identity matching the query, as the server counts them (when it does). */
  total?: number;
  /** Loading the first page (after a filter change). */
  loading: boolean;
  /** Loading a further page. */
  loadingMore: boolean;
  error?: Error;
  loadMore: () => void;
  reload: () => void;
}

/**
 * Pages through `GET /identities` with the server's cursor: the first page is
 * fetched whenever the query changes, further pages are appended on demand,
 * and answers to an outdated query are dropped.
 */
export function useIdentityPages(
  query: Omit<IdentityQuery, 'cursor' | 'limit'>,
  pageSize: number,
): IdentityPages {
  const api = useApi(machineIdentityApiRef);
  const key = JSON.stringify(query);
  const generation = useRef(0);
  const [reloads, setReloads] = useState(0);
  const [state, setState] = useState<{
    items: Identity[];
    nextCursor?: string;
    total?: number;
    loading: boolean;
    loadingMore: boolean;
    error?: Error;
  }>({ items: [], loading: true, loadingMore: false });

  useEffect(() => {
    const current = ++generation.current;
    setState({ items: [], loading: true, loadingMore: false });
    api
      .listIdentities({ ...(JSON.parse(key) as IdentityQuery), limit: pageSize })
      .then(
        page => {
          if (current === generation.current) {
            setState({
              items: page.items,
              nextCursor: page.nextCursor,
              total: page.total,
              loading: false,
              loadingMore: false,
            });
          }
        },
        error => {
          if (current === generation.current) {
            setState({ items: [], loading: false, loadingMore: false, error });
          }
        },
      );
  }, [api, key, pageSize, reloads]);

  const loadMore = useCallback(() => {
    const cursor = state.nextCursor;
    if (!cursor || state.loadingMore) {
      return;
    }
    const current = generation.current;
    setState(s => ({ ...s, loadingMore: true }));
    api
      .listIdentities({
        ...(JSON.parse(key) as IdentityQuery),
        cursor,
        limit: pageSize,
      })
      .then(
        page => {
          if (current === generation.current) {
            setState(s => ({
              items: [...s.items, ...page.items],
              nextCursor: page.nextCursor,
              total: page.total ?? s.total,
              loading: false,
              loadingMore: false,
            }));
          }
        },
        error => {
          if (current === generation.current) {
            setState(s => ({ ...s, loadingMore: false, error }));
          }
        },
      );
  }, [api, key, pageSize, state.nextCursor, state.loadingMore]);

  const reload = useCallback(() => setReloads(n => n + 1), []);

  return {
    items: state.items,
    hasMore: !!state.nextCursor,
    total: state.total,
    loading: state.loading,
    loadingMore: state.loadingMore,
    error: state.error,
    loadMore,
    reload,
  };
}
