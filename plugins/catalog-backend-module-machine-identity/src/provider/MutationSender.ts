import type {
  DeferredEntity,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { MACHINE_IDENTITY_LOCATION } from '@keyring/plugin-machine-identity-common';
import type { ProviderRunSummary } from './types';

/** Entities to send in one go, and the state to record once they are applied. */
export interface MutationBatch {
  added: DeferredEntity[];
  removed: string[];
  commits: Array<() => void>;
}

/** An empty {@link MutationBatch}. */
export function newMutationBatch(): MutationBatch {
  return { added: [], removed: [], commits: [] };
}

/**
 * Sends batches to the catalog as delta mutations of at most `batchSize`
 * entities each, and counts what it sent.
 */
export class MutationSender {
  private connection?: EntityProviderConnection;
  private readonly totals = { mutations: 0, added: 0, removed: 0 };

  constructor(private readonly batchSize: number) {}

  connect(connection: EntityProviderConnection): void {
    this.connection = connection;
  }

  /** Totals since start: mutations applied and entities added/removed. */
  getTotals(): { mutations: number; added: number; removed: number } {
    return { ...this.totals };
  }

  /** Applies a batch in chunks, then runs its commits (state is recorded only once the catalog has it). */
  async apply(batch: MutationBatch, run: ProviderRunSummary): Promise<void> {
    if (!this.connection) {
      throw new Error('MachineIdentityEntityProvider is not connected to the catalog yet');
    }
    const { added, removed } = batch;
    for (let i = 0; i < Math.max(added.length, removed.length); i += this.batchSize) {
      const addChunk = added.slice(i, i + this.batchSize);
      const removeChunk = removed.slice(i, i + this.batchSize).map(entityRef => ({
        entityRef,
        locationKey: MACHINE_IDENTITY_LOCATION,
      }));
      await this.connection.applyMutation({ type: 'delta', added: addChunk, removed: removeChunk });
      run.mutations += 1;
      run.added += addChunk.length;
      run.removed += removeChunk.length;
      this.totals.mutations += 1;
      this.totals.added += addChunk.length;
      this.totals.removed += removeChunk.length;
    }
    for (const commit of batch.commits) commit();
  }
}
