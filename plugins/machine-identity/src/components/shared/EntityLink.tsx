import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';

/**
 * A link to a catalog entity from its ref, or a dash when there is none.
 * Refs that do not parse are shown as plain text instead of breaking the row.
 */
export function EntityLink(props: { entityRef?: string; defaultKind: string }) {
  if (!props.entityRef) {
    return (
      <Typography variant="body2" component="span" color="textSecondary">
        —
      </Typography>
    );
  }
  try {
    const ref = parseEntityRef(props.entityRef, {
      defaultKind: props.defaultKind,
      defaultNamespace: 'default',
    });
    return <EntityRefLink entityRef={ref} defaultKind={props.defaultKind} />;
  } catch {
    return <span>{props.entityRef}</span>;
  }
}
