/** A value the Query API serializer understands: arrays become `<member>` lists. */
export type XmlValue =
  | string
  | number
  | boolean
  | undefined
  | XmlValue[]
  | { [key: string]: XmlValue };

/** Escapes text for an XML element. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) {
    return `<${name}>${value.map(v => element('member', v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${toXml(value)}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** Serializes an object's fields the way the IAM Query API does. */
export function toXml(fields: Record<string, XmlValue>): string {
  return Object.entries(fields)
    .map(([k, v]) => element(k, v))
    .join('');
}

const NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** A Query API success envelope: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`. */
export function queryResponse(
  service: 'iam' | 'sts',
  operation: string,
  result: Record<string, XmlValue> | undefined,
  requestId: string,
): string {
  const body = result ? element(`${operation}Result`, result) : '';
  return (
    `<${operation}Response xmlns="${NAMESPACES[service]}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

/** A Query API error envelope, as botocore's `errors/iam-get-user.xml`. */
export function queryError(
  service: 'iam' | 'sts',
  code: string,
  message: string,
  type: 'Sender' | 'Receiver',
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACES[service]}"><Error><Type>${type}</Type>` +
    `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** An AWS error a handler throws; the server renders it in the service's wire format. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}
