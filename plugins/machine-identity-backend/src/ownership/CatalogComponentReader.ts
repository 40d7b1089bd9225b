import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ComponentIndex } from './ComponentIndex';

/** Reads every Component from the catalog (streamed in pages) and indexes it. */
export async function readComponentIndex(options: {
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}): Promise<ComponentIndex> {
  const { catalog, auth, logger } = options;
  const started = Date.now();
  const credentials = await auth.getOwnServiceCredentials();
  const entities: Entity[] = [];
  for await (const page of catalog.streamEntities(
    {
      filter: { kind: 'Component' },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'metadata.labels', 'metadata.tags', 'spec.owner', 'spec.lifecycle'],
    },
    { credentials },
  )) {
    entities.push(...page);
  }
  const index = ComponentIndex.fromEntities(entities);
  logger.info(
    `Indexed ${index.size.toLocaleString('en-US')} Components for ownership resolution in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return index;
}
