/** The plugin id of Keyring's backend and frontend plugins. */
export const MACHINE_IDENTITY_PLUGIN_ID = 'machine-identity';

/** Component annotations that link machine identities to the Component (comma-separated, `*` wildcards). */
export const ANNOTATION_HOSTNAMES = 'keyring.io/hostnames';
/** Hosts whose SSH keys belong to the Component. */
export const ANNOTATION_SSH_HOSTS = 'keyring.io/ssh-hosts';
/** Accounts whose SSH keys belong to the Component. */
export const ANNOTATION_SSH_ACCOUNTS = 'keyring.io/ssh-accounts';
/** AWS IAM users that belong to the Component. */
export const ANNOTATION_AWS_IAM_USERS = 'keyring.io/aws-iam-users';
/** AWS IAM roles that belong to the Component. */
export const ANNOTATION_AWS_IAM_ROLES = 'keyring.io/aws-iam-roles';
/** Backstage's own label/annotation that links Kubernetes objects to a Component. */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/** Every Component annotation that makes the Machine identities tab relevant. */
export const LINK_ANNOTATIONS: readonly string[] = [
  ANNOTATION_HOSTNAMES,
  ANNOTATION_SSH_HOSTS,
  ANNOTATION_SSH_ACCOUNTS,
  ANNOTATION_AWS_IAM_USERS,
  ANNOTATION_AWS_IAM_ROLES,
  ANNOTATION_KUBERNETES_ID,
];

/** MachineIdentity entity annotations. */
export const ANNOTATION_FINGERPRINT = 'keyring.io/fingerprint-sha256';
/** The inventory id of the identity an entity mirrors. */
export const ANNOTATION_IDENTITY_ID = 'keyring.io/identity-id';
