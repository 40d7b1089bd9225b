/**
 * Reads the SSH wire encoding (RFC 4251 section 5: uint32, uint64, string,
 * mpint) from a buffer, with bounds checks. Used for the key and
 * certificate blobs that sshpk does not parse (security-key types and
 * OpenSSH certificates).
 */
export class SshWireReader {
  #offset = 0;

  constructor(private readonly buffer: Buffer) {}

  /** Current read position. */
  get offset(): number {
    return this.#offset;
  }

  /** Whether every byte has been read. */
  atEnd(): boolean {
    return this.#offset === this.buffer.length;
  }

  readUInt32(): number {
    this.#need(4);
    const value = this.buffer.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  readUInt64(): bigint {
    this.#need(8);
    const value = this.buffer.readBigUInt64BE(this.#offset);
    this.#offset += 8;
    return value;
  }

  /** A length-prefixed byte string. */
  readString(): Buffer {
    const length = this.readUInt32();
    this.#need(length);
    const value = this.buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  readUtf8(): string {
    return this.readString().toString('utf8');
  }

  /** A multiple-precision integer; returns its size in bits. */
  readMpintBits(): number {
    return bitLength(this.readString());
  }

  /** The raw bytes between two offsets (to re-assemble a blob). */
  slice(start: number, end: number): Buffer {
    return this.buffer.subarray(start, end);
  }

  #need(length: number) {
    if (this.#offset + length > this.buffer.length) {
      throw new Error(
        `truncated SSH data: need ${length} bytes at offset ${this.#offset}, have ${this.buffer.length - this.#offset}`,
      );
    }
  }
}

/** Bit length of a big-endian unsigned integer (leading zero bytes ignored). */
export function bitLength(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}
