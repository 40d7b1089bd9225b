import { parseSshTargets } from './parseSshTargets';

describe('parseSshTargets', () => {
  it('expands host:port lists, IPv6 and CIDR ranges with port lists', () => {
    expect([...parseSshTargets(['localhost:2222', 'db-1.example.test', '[::1]:2200', '::1', '127.0.20.0/31:22,2222', '[::1/127]:22'])]).toEqual([
      { host: 'localhost', port: 2222, fromRange: false },
      { host: 'db-1.example.test', port: 22, fromRange: false },
      { host: '::1', port: 2200, fromRange: false },
      { host: '::1', port: 22, fromRange: false },
      { host: '127.0.20.0', port: 22, fromRange: true },
      { host: '127.0.20.0', port: 2222, fromRange: true },
      { host: '127.0.20.1', port: 22, fromRange: true },
      { host: '127.0.20.1', port: 2222, fromRange: true },
      { host: '::', port: 22, fromRange: true },
      { host: '::1', port: 22, fromRange: true },
    ]);
  });

  it('normalises a range given by a host address inside it', () => {
    expect([...parseSshTargets(['127.0.0.5/30:22'])].map(t => t.host)).toEqual(['127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7']);
  });
});
