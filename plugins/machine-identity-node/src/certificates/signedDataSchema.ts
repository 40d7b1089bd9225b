import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

/*
 * PKCS#7 / CMS SignedData (RFC 5652) as a @peculiar/asn1-schema schema that
 * keeps each certificate as its original encoding. @peculiar/asn1-cms's
 * `SignedData` decodes certificates into objects, and re-encoding those would
 * not always give back the bytes (and fingerprint) of the bundle. Decorators
 * are applied as functions: the repository compiles without `experimentalDecorators`.
 */

/** CertificateSet: each CertificateChoices element kept encoded. */
export class RawCertificateSet extends AsnArray<ArrayBuffer> {
  constructor(items?: ArrayBuffer[]) {
    super(items);
    Object.setPrototypeOf(this, RawCertificateSet.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })(RawCertificateSet);

/** SignedData, reading only its certificates. */
export class RawSignedData {
  version = 0;
  digestAlgorithms: ArrayBuffer = new ArrayBuffer(0);
  encapContentInfo: ArrayBuffer = new ArrayBuffer(0);
  certificates?: RawCertificateSet;
  crls?: ArrayBuffer;
  signerInfos: ArrayBuffer = new ArrayBuffer(0);
}
AsnProp({ type: AsnPropTypes.Integer })(RawSignedData.prototype, 'version');
AsnProp({ type: AsnPropTypes.Any })(RawSignedData.prototype, 'digestAlgorithms');
AsnProp({ type: AsnPropTypes.Any })(RawSignedData.prototype, 'encapContentInfo');
AsnProp({ type: RawCertificateSet, context: 0, implicit: true, optional: true })(
  RawSignedData.prototype,
  'certificates',
);
AsnProp({ type: AsnPropTypes.Any, context: 1, implicit: true, optional: true })(RawSignedData.prototype, 'crls');
AsnProp({ type: AsnPropTypes.Any })(RawSignedData.prototype, 'signerInfos');
