import { InputError } from '@backstage/errors';

/** One DER element: its tag and where its content lies in the buffer. */
export interface DerNode {
  /** Tag class: 0 universal, 1 application, 2 context-specific, 3 private. */
  cls: number;
  constructed: boolean;
  /** Tag number within the class. */
  tag: number;
  /** Offset of the first header byte. */
  headerStart: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the content. */
  end: number;
  buf: Buffer;
}

/** Reads one DER element at `offset`, checking every length against the buffer. */
export function readDer(buf: Buffer, offset = 0, limit = buf.length): DerNode {
  let pos = offset;
  if (pos >= limit) throw new InputError('DER: unexpected end of data');
  const first = buf[pos++];
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit || i > 4) throw new InputError('DER: bad tag');
      const b = buf[pos++];
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= limit) throw new InputError('DER: missing length');
  let len = buf[pos++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new InputError('DER: unsupported length form');
    if (pos + n > limit) throw new InputError('DER: truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
  }
  if (pos + len > limit) throw new InputError('DER: element runs past its parent');
  return { cls, constructed, tag, headerStart: offset, start: pos, end: pos + len, buf };
}

/** The child elements of a constructed element. */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = node.start;
  while (pos < node.end) {
    const child = readDer(node.buf, pos, node.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Content bytes of an element. */
export function derContent(node: DerNode): Buffer {
  return node.buf.subarray(node.start, node.end);
}

/** Whole encoding (header and content) of an element. */
export function derEncoding(node: DerNode): Buffer {
  return node.buf.subarray(node.headerStart, node.end);
}

/** Decodes an OBJECT IDENTIFIER element to dotted form. */
export function derOid(node: DerNode): string {
  const bytes = derContent(node);
  if (bytes.length === 0) throw new InputError('DER: empty OID');
  const parts: bigint[] = [];
  let value = 0n;
  for (const b of bytes) {
    value = value * 128n + BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0n;
    }
  }
  const head = parts.shift() ?? 0n;
  const first = head < 40n ? 0n : head < 80n ? 1n : 2n;
  return [first, head - first * 40n, ...parts].join('.');
}
