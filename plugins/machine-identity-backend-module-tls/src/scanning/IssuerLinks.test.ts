import { makeCertificate, makeTestPki, TestPki } from '../__testUtils__/testPki';
import { parseCertificate, ParsedCertificate } from '@keyring/plugin-machine-identity-node';
import { IssuerLinks } from './IssuerLinks';
import { TrustStore } from './TrustStore';

describe('IssuerLinks', () => {
  let pki: TestPki;
  let leaf: ParsedCertificate;
  let intermediate: ParsedCertificate;
  let root: ParsedCertificate;
  let impostor: ParsedCertificate;

  beforeAll(async () => {
    pki = await makeTestPki('Links');
    leaf = parseCertificate((await makeCertificate({ subject: 'CN=links.example.test', issuer: pki.intermediate })).der);
    intermediate = parseCertificate(pki.intermediate.der);
    root = parseCertificate(pki.root.der);
    // Same subject as the real root, different key: names match, signatures must not.
    impostor = parseCertificate((await makeCertificate({ subject: 'CN=Links Root CA, O=Keyring Tests, C=DE', ca: true })).der);
  }, 30_000);

  it('verifies each issuer link once and gives the same verdicts as uncached checks', () => {
    const links = new IssuerLinks();
    const store = TrustStore.fromCertificates([root]);
    const forged = TrustStore.fromCertificates([impostor]);
    const chain = [leaf, intermediate];
    for (let i = 0; i < 3; i++) {
      expect(store.verifies(chain, 0, links)).toBe(true);
      expect(store.verifies(chain, 1, links)).toBe(true);
      expect(forged.verifies(chain, 0, links)).toBe(false);
    }
    // leaf←intermediate, intermediate←root, intermediate←impostor: three signature checks in all.
    expect(links.verifications).toBe(3);
    expect(store.verifies(chain, 0)).toBe(true);
    expect(forged.verifies(chain, 0)).toBe(false);
  });

  it('is bounded', () => {
    const links = new IssuerLinks(1);
    expect(links.signedBy(leaf, intermediate)).toBe(true);
    expect(links.signedBy(intermediate, root)).toBe(true);
    expect(links.signedBy(leaf, intermediate)).toBe(true);
    expect(links.verifications).toBe(3);
  });
});
