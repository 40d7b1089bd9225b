/** An RBAC rule as the API returns it (`V1PolicyRule`). */
interface PolicyRule {
  verbs?: string[];
  resources?: string[];
  apiGroups?: string[];
  nonResourceURLs?: string[];
}

/** A binding subject (`RbacV1Subject`). */
interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** One grant reaching a service account. */
interface Grant {
  /** `ClusterRole/cluster-admin via ClusterRoleBinding/ci-admin`. */
  text: string;
  /** Why the grant is administrator-level, when it is. */
  privileged?: string;
}

/** What a service account is granted. */
export interface ServiceAccountGrants {
  /** Grants in the order the bindings were listed (at most {@link MAX_GRANTS}). */
  grants: string[];
  /** The first administrator-level grant's reason. */
  privilegedReason?: string;
}

const MAX_GRANTS = 50;
const ALL_SERVICE_ACCOUNTS = new Set(['system:serviceaccounts', 'system:authenticated']);

/**
 * RBAC resolved for service accounts: roles are read first (only whether each
 * is administrator-level is kept), then bindings, whose service-account
 * subjects (and the `system:serviceaccounts[:ns]` / `system:authenticated`
 * groups) are indexed. `cluster-admin` and any rule with wildcard verbs count
 * as administrator-level.
 */
export class RbacIndex {
  private readonly privilegedRoles = new Map<string, string>();
  private readonly byAccount = new Map<string, Grant[]>();
  private readonly byNamespaceGroup = new Map<string, Grant[]>();
  private readonly forAll: Grant[] = [];
  /** Bindings listed (for the log). */
  bindings = 0;

  private static roleKey(kind: string, namespace: string | undefined, name: string) {
    return kind === 'ClusterRole' ? `ClusterRole/${name}` : `Role/${namespace}/${name}`;
  }

  /** Records a Role or ClusterRole. */
  addRole(kind: 'Role' | 'ClusterRole', namespace: string | undefined, name: string, rules: PolicyRule[] | undefined) {
    if (kind === 'ClusterRole' && name === 'cluster-admin') {
      this.privilegedRoles.set(RbacIndex.roleKey(kind, namespace, name), 'ClusterRole cluster-admin');
      return;
    }
    for (const rule of rules ?? []) {
      if (rule.verbs?.includes('*')) {
        const what = (rule.resources ?? rule.nonResourceURLs ?? []).slice(0, 5).join(', ') || 'no resources';
        this.privilegedRoles.set(RbacIndex.roleKey(kind, namespace, name), `${kind} ${name} allows every verb (*) on ${what}`);
        return;
      }
    }
  }

  /** Records a RoleBinding or ClusterRoleBinding. */
  addBinding(
    kind: 'RoleBinding' | 'ClusterRoleBinding',
    namespace: string | undefined,
    name: string,
    roleRef: { kind?: string; name?: string } | undefined,
    subjects: Subject[] | undefined,
  ) {
    if (!roleRef?.name || !roleRef.kind) return;
    this.bindings += 1;
    const roleKey = RbacIndex.roleKey(roleRef.kind, namespace, roleRef.name);
    const role = this.privilegedRoles.get(roleKey);
    const where = kind === 'ClusterRoleBinding' ? 'cluster-wide' : `in namespace ${namespace}`;
    const binding = kind === 'ClusterRoleBinding' ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
    const grant: Grant = {
      text: `${roleRef.kind}/${roleRef.name} via ${binding}`,
      privileged: role ? `${role} ${where} through ${binding}` : undefined,
    };
    for (const subject of subjects ?? []) {
      if (subject.kind === 'ServiceAccount' && subject.name) {
        push(this.byAccount, `${subject.namespace ?? namespace}/${subject.name}`, grant);
      } else if (subject.kind === 'Group' && subject.name) {
        if (ALL_SERVICE_ACCOUNTS.has(subject.name)) this.forAll.push(grant);
        else if (subject.name.startsWith('system:serviceaccounts:')) {
          push(this.byNamespaceGroup, subject.name.slice('system:serviceaccounts:'.length), grant);
        }
      }
    }
  }

  /** What the service account `namespace/name` is granted. */
  grantsOf(namespace: string, name: string): ServiceAccountGrants {
    const all = [...(this.byAccount.get(`${namespace}/${name}`) ?? []), ...(this.byNamespaceGroup.get(namespace) ?? []), ...this.forAll];
    return {
      grants: [...new Set(all.map(g => g.text))].slice(0, MAX_GRANTS),
      privilegedReason: all.find(g => g.privileged)?.privileged,
    };
  }
}

function push(map: Map<string, Grant[]>, key: string, grant: Grant) {
  const list = map.get(key);
  if (list) list.push(grant);
  else map.set(key, [grant]);
}
