import {
  AsnArray,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
} from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extensions, OtherName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';

/*
 * ASN.1 schemas (RFC 5280) declared with @peculiar/asn1-schema, which does all
 * the decoding. They follow @peculiar/asn1-x509's `Certificate`, `Name` and
 * `GeneralName` but keep attribute values and IP addresses as their encoded
 * bytes, so names print exactly as OpenSSL prints them whatever string type
 * (or invalid text) a certificate holds. Fields Keyring takes from Node's
 * `crypto.X509Certificate` (serial, validity, signature value) stay undecoded.
 * Decorators are applied as functions: the repository compiles without
 * `experimentalDecorators`.
 */

/** AttributeTypeAndValue with the value kept as its DER encoding. */
export class RawAttribute {
  type = '';
  value: ArrayBuffer = new ArrayBuffer(0);
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(RawAttribute.prototype, 'type');
AsnProp({ type: AsnPropTypes.Any })(RawAttribute.prototype, 'value');

/** RelativeDistinguishedName: a SET of attributes. */
export class RawRdn extends AsnArray<RawAttribute> {
  constructor(items?: RawAttribute[]) {
    super(items);
    Object.setPrototypeOf(this, RawRdn.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Set, itemType: RawAttribute })(RawRdn);

/** X.501 Name: a SEQUENCE of RDNs. */
export class RawName extends AsnArray<RawRdn> {
  constructor(items?: RawRdn[]) {
    super(items);
    Object.setPrototypeOf(this, RawName.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: RawRdn })(RawName);

/** TBSCertificate; serial and validity are read by Node and left undecoded here. */
export class RawTbsCertificate {
  version = 0;
  serialNumber: ArrayBuffer = new ArrayBuffer(0);
  signature = new AlgorithmIdentifier();
  issuer = new RawName();
  validity: ArrayBuffer = new ArrayBuffer(0);
  subject = new RawName();
  subjectPublicKeyInfo = new SubjectPublicKeyInfo();
  issuerUniqueID?: ArrayBuffer;
  subjectUniqueID?: ArrayBuffer;
  extensions?: Extensions;
}
AsnProp({ type: AsnPropTypes.Integer, context: 0, defaultValue: 0 })(RawTbsCertificate.prototype, 'version');
AsnProp({ type: AsnPropTypes.Any })(RawTbsCertificate.prototype, 'serialNumber');
AsnProp({ type: AlgorithmIdentifier })(RawTbsCertificate.prototype, 'signature');
AsnProp({ type: RawName })(RawTbsCertificate.prototype, 'issuer');
AsnProp({ type: AsnPropTypes.Any })(RawTbsCertificate.prototype, 'validity');
AsnProp({ type: RawName })(RawTbsCertificate.prototype, 'subject');
AsnProp({ type: SubjectPublicKeyInfo })(RawTbsCertificate.prototype, 'subjectPublicKeyInfo');
AsnProp({ type: AsnPropTypes.BitString, context: 1, implicit: true, optional: true })(
  RawTbsCertificate.prototype,
  'issuerUniqueID',
);
AsnProp({ type: AsnPropTypes.BitString, context: 2, implicit: true, optional: true })(
  RawTbsCertificate.prototype,
  'subjectUniqueID',
);
AsnProp({ type: Extensions, context: 3, optional: true })(RawTbsCertificate.prototype, 'extensions');

/** Certificate; the signature value is left undecoded (Node verifies signatures). */
export class RawCertificate {
  tbsCertificate = new RawTbsCertificate();
  signatureAlgorithm = new AlgorithmIdentifier();
  signatureValue: ArrayBuffer = new ArrayBuffer(0);
}
AsnProp({ type: RawTbsCertificate })(RawCertificate.prototype, 'tbsCertificate');
AsnProp({ type: AlgorithmIdentifier })(RawCertificate.prototype, 'signatureAlgorithm');
AsnProp({ type: AsnPropTypes.Any })(RawCertificate.prototype, 'signatureValue');

/**
 * EDIPartyName with its DirectoryStrings left encoded. RFC 5280 tags them
 * EXPLICIT (they are CHOICEs); @peculiar/asn1-x509's `EDIPartyName` expects
 * them implicit and refuses conforming encodings.
 */
export class RawEdiPartyName {
  nameAssigner?: ArrayBuffer;
  partyName: ArrayBuffer = new ArrayBuffer(0);
}
AsnProp({ type: AsnPropTypes.Any, context: 0, optional: true })(RawEdiPartyName.prototype, 'nameAssigner');
AsnProp({ type: AsnPropTypes.Any, context: 1 })(RawEdiPartyName.prototype, 'partyName');

/** GeneralName (CHOICE), with IP addresses as bytes and directory names as {@link RawName}. */
export class RawGeneralName {
  otherName?: OtherName;
  rfc822Name?: string;
  dNSName?: string;
  x400Address?: ArrayBuffer;
  directoryName?: RawName;
  ediPartyName?: RawEdiPartyName;
  uniformResourceIdentifier?: string;
  iPAddress?: ArrayBuffer;
  registeredID?: string;
}
AsnProp({ type: OtherName, context: 0, implicit: true })(RawGeneralName.prototype, 'otherName');
AsnProp({ type: AsnPropTypes.IA5String, context: 1, implicit: true })(RawGeneralName.prototype, 'rfc822Name');
AsnProp({ type: AsnPropTypes.IA5String, context: 2, implicit: true })(RawGeneralName.prototype, 'dNSName');
AsnProp({ type: AsnPropTypes.Any, context: 3, implicit: true })(RawGeneralName.prototype, 'x400Address');
AsnProp({ type: RawName, context: 4, implicit: false })(RawGeneralName.prototype, 'directoryName');
AsnProp({ type: RawEdiPartyName, context: 5, implicit: true })(RawGeneralName.prototype, 'ediPartyName');
AsnProp({ type: AsnPropTypes.IA5String, context: 6, implicit: true })(
  RawGeneralName.prototype,
  'uniformResourceIdentifier',
);
AsnProp({ type: AsnPropTypes.OctetString, context: 7, implicit: true })(RawGeneralName.prototype, 'iPAddress');
AsnProp({ type: AsnPropTypes.ObjectIdentifier, context: 8, implicit: true })(RawGeneralName.prototype, 'registeredID');
AsnType({ type: AsnTypeTypes.Choice })(RawGeneralName);

/** GeneralNames: the value of a subjectAltName extension. */
export class RawGeneralNames extends AsnArray<RawGeneralName> {
  constructor(items?: RawGeneralName[]) {
    super(items);
    Object.setPrototypeOf(this, RawGeneralNames.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: RawGeneralName })(RawGeneralNames);
