import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSshKeyLine } from './parseSshKeyLine';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');
const [type, data] = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/ed25519_1.pub'), 'utf8').trim().split(' ');

describe('parseSshKeyLine on hostile comments', () => {
  it('drops bidirectional and control characters from comments at parse time', () => {
    const result = parseSshKeyLine(`${type} ${data} deploy\u202Eexe.sh\u0007 owner=\u2066payments`, 'authorized_keys');
    expect(result).toMatchObject({ kind: 'key', entry: { comment: 'deployexe.sh owner=payments' } });
  });
});
