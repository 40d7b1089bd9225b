import { coverageOf } from './coverage';

describe('coverageOf', () => {
  it('covers a location equal to a scope, continuing it with : or #, or under a folder scope', () => {
    const covered = coverageOf(['web-1:443', '/etc/a.pem', 'h:/srv/keys/']);
    expect(covered('web-1:443')).toBe(true);
    expect(covered('/etc/a.pem#2')).toBe(true);
    expect(covered('h:/srv/keys/x/authorized_keys:3')).toBe(true);
    expect(covered('web-1:4430')).toBe(false);
    expect(covered('/etc/a.pem2')).toBe(false);
    expect(covered('g:/srv/keys/x/authorized_keys:3')).toBe(false);
  });

  it('covers a path under an any-host folder scope whatever host the location names, and nothing else', () => {
    const covered = coverageOf(['*:/srv/fleet/']);
    expect(covered('web-1:/srv/fleet/web-1/home/a/.ssh/authorized_keys:1')).toBe(true);
    expect(covered('db-1:/srv/fleet/db-1/root/.ssh/authorized_keys:2')).toBe(true);
    expect(covered('db-1:/srv/other/db-1/authorized_keys:2')).toBe(false);
    expect(covered('/srv/fleet/x.pem')).toBe(false);
    expect(covered('a/b:/srv/fleet/x')).toBe(false);
  });
});
