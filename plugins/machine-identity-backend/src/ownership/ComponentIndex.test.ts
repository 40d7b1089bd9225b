import type { Entity } from '@backstage/catalog-model';
import { ComponentIndex } from './ComponentIndex';
import { wildcardMatches } from './hostnameMatch';

const component = (name: string, annotations: Record<string, string>, labels?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations, labels },
  spec: { owner: `team-${name}`, lifecycle: 'production' },
});

describe('wildcardMatches', () => {
  it('matches * within one label only, as TLS SANs do', () => {
    expect(wildcardMatches('*.payments.example.test', 'API.payments.example.test')).toBe(true);
    expect(wildcardMatches('*.payments.example.test', 'payments.example.test')).toBe(false);
    expect(wildcardMatches('*.payments.example.test', 'a.b.payments.example.test')).toBe(false);
    expect(wildcardMatches('svc-pay*', 'svc-payments')).toBe(true);
    expect(wildcardMatches('api.example.test', 'api.example.test')).toBe(true);
    expect(wildcardMatches('api.example.test', 'apixexample.test')).toBe(false);
  });
});

describe('ComponentIndex', () => {
  const index = ComponentIndex.fromEntities([
    component('wild', { 'keyring.io/hostnames': '*.pay.example.test' }),
    component('exact', { 'keyring.io/hostnames': 'api.pay.example.test, other.example.test' }),
    component('accounts', { 'keyring.io/ssh-accounts': 'deploy-*', 'keyring.io/aws-iam-roles': 'role/ci' }),
    component('kube', {}, { 'backstage.io/kubernetes-id': 'kube-app' }),
  ]);

  it('ranks exact matches before wildcard matches', () => {
    const matches = index.match({ hostnames: ['api.pay.example.test'] });
    expect(matches.map(m => [m.component.ref, m.exact])).toEqual([
      ['component:default/exact', true],
      ['component:default/wild', false],
    ]);
    expect(matches[0].component.owner).toBe('group:default/team-exact');
  });

  it('matches each link kind against its own annotation only', () => {
    expect(index.match({ sshAccounts: ['deploy-web'] }).map(m => m.component.ref)).toEqual(['component:default/accounts']);
    expect(index.match({ sshHosts: ['deploy-web'] })).toEqual([]);
    expect(index.match({ awsIamRoles: ['ROLE/CI'] }).map(m => m.component.ref)).toEqual(['component:default/accounts']);
    expect(index.match({ kubernetesIds: ['kube-app'] }).map(m => m.component.ref)).toEqual(['component:default/kube']);
    expect(index.match({ hostnames: ['x.y.pay.example.test'] })).toEqual([]);
  });

  describe('SSH host and account together', () => {
    const ssh = ComponentIndex.fromEntities([
      component('identity-gateway', { 'keyring.io/ssh-hosts': 'db-01', 'keyring.io/ssh-accounts': 'backup' }),
      component('legacy-billing', { 'keyring.io/ssh-accounts': 'billing' }),
      component('a-web-hosts', { 'keyring.io/ssh-hosts': 'web-*' }),
      component('deployers', { 'keyring.io/ssh-hosts': 'web-*', 'keyring.io/ssh-accounts': 'deploy' }),
    ]);
    const refs = (links: Parameters<ComponentIndex['match']>[0], logins?: Parameters<ComponentIndex['match']>[1]) =>
      ssh.match(links, logins).map(m => m.component.ref);

    it('needs both host and account of one sighting when a Component declares both', () => {
      const billingKey = { sshHosts: ['db-01'], sshAccounts: ['billing'] };
      expect(refs(billingKey, [{ host: 'db-01', account: 'billing' }])).toEqual(['component:default/legacy-billing']);
      expect(refs({ sshHosts: ['DB-01'], sshAccounts: ['backup'] }, [{ host: 'DB-01', account: 'Backup' }])).toEqual([
        'component:default/identity-gateway',
      ]);
      // the host alone (a host key) no longer matches a Component that also names an account
      expect(refs({ sshHosts: ['db-01'] }, [])).toEqual([]);
    });

    it('does not combine the host of one sighting with the account of another', () => {
      const links = { sshHosts: ['db-01', 'db-02'], sshAccounts: ['backup', 'root'] };
      const logins = [
        { host: 'db-01', account: 'root' },
        { host: 'db-02', account: 'backup' },
      ];
      expect(refs(links, logins)).toEqual([]);
      expect(refs(links, [...logins, { host: 'db-01', account: 'backup' }])).toEqual(['component:default/identity-gateway']);
    });

    it('lets a single SSH annotation decide alone, and ranks host-and-account matches first', () => {
      expect(refs({ sshHosts: ['web-03'] })).toEqual(['component:default/a-web-hosts']);
      const matches = ssh.match({ sshHosts: ['web-03'], sshAccounts: ['deploy'] }, [{ host: 'web-03', account: 'deploy' }]);
      expect(matches.map(m => [m.component.ref, m.exact])).toEqual([
        ['component:default/deployers', false],
        ['component:default/a-web-hosts', false],
      ]);
      expect(matches[0].annotation).toBe('keyring.io/ssh-hosts + keyring.io/ssh-accounts');
      expect(matches[0].pattern).toBe('deploy@web-*');
    });
  });

  it('resolves 300,000 lookups against 5,000 Components quickly', () => {
    const big = ComponentIndex.fromEntities(
      Array.from({ length: 5000 }, (_, i) => component(`c${i}`, { 'keyring.io/hostnames': `*.team${i}.example.test, api${i}.example.test` })),
    );
    const started = performance.now();
    let found = 0;
    for (let i = 0; i < 300_000; i++) {
      found += big.match({ hostnames: [`svc${i}.team${i % 5000}.example.test`] }).length;
    }
    expect(found).toBe(300_000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
