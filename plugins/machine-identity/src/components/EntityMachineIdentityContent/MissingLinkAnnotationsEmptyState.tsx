import { CodeSnippet, EmptyState } from '@backstage/core-components';
import {
  ANNOTATION_AWS_IAM_ROLES,
  ANNOTATION_AWS_IAM_USERS,
  ANNOTATION_HOSTNAMES,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_SSH_ACCOUNTS,
  ANNOTATION_SSH_HOSTS,
} from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';

function snippet(name: string) {
  return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
  annotations:
    # TLS certificates whose SANs match (comma-separated, * wildcards as in SANs)
    ${ANNOTATION_HOSTNAMES}: 'api.${name}.example.test, *.${name}.example.test'
    # SSH keys found on these hosts or accounts
    ${ANNOTATION_SSH_HOSTS}: 'build-01, build-02'
    ${ANNOTATION_SSH_ACCOUNTS}: 'deploy'
    # AWS IAM users and roles
    ${ANNOTATION_AWS_IAM_USERS}: 'svc-${name}-ci'
    ${ANNOTATION_AWS_IAM_ROLES}: '${name}-runtime'
    # Kubernetes secrets and service accounts labelled with this id
    ${ANNOTATION_KUBERNETES_ID}: '${name}'
spec:
  type: service
  owner: group:default/your-team
  lifecycle: production
`;
}

/**
 * Explains how to link machine identities to an entity, like Backstage's
 * `MissingAnnotationEmptyState`: which annotations, and a YAML example.
 */
export function MissingLinkAnnotationsEmptyState(props: {
  entityName: string;
  /** The entity already has link annotations; nothing matched them yet. */
  annotated: boolean;
}) {
  const title = props.annotated
    ? 'No machine identities linked yet'
    : 'No machine identities are linked to this entity';
  const description = props.annotated
    ? 'The annotations on this entity have not matched any identity seen by a scan yet. Check the values below, or wait for the next scan of your sources.'
    : 'Keyring links certificates, SSH keys, tokens and service accounts to a Component through annotations. Add one or more of them to catalog-info.yaml:';
  return (
    <div data-testid="machine-identity-empty-state">
      <EmptyState
        missing={props.annotated ? 'data' : 'field'}
        title={title}
        description={description}
        action={
          <Box maxWidth={760}>
            <Typography variant="body1" gutterBottom>
              Annotations are comma-separated lists; owners come from the
              Component unless a review or the source says otherwise.
            </Typography>
            <CodeSnippet
              text={snippet(props.entityName)}
              language="yaml"
              showLineNumbers
              showCopyCodeButton
            />
          </Box>
        }
      />
    </div>
  );
}
