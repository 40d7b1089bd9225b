import { constants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { InputError } from '@backstage/errors';

/** A file read whole, with the size cap enforced by the read itself. */
export interface BoundedFile {
  data: Buffer;
  stat: Stats;
}

const CHUNK = 1024 * 1024;

/** Options of {@link readFileBounded}. */
export interface ReadFileBoundedOptions {
  /** Bytes read before {@link ReadFileBoundedOptions.onOpen} is called (default 0). */
  headBytes?: number;
  /**
   * Called with the handle's stat and the first `headBytes` before anything
   * else is read; throw to refuse the file (a private key recognised by its
   * first line is then never read further).
   */
  onOpen?: (stat: Stats, head: Buffer) => void;
}

/**
 * Reads a regular file of at most `maxBytes`. The file is opened without
 * blocking (a FIFO swapped in after a directory listing cannot stall the scan)
 * and checked on the open handle to be a regular file; the cap is enforced by
 * reading at most `maxBytes + 1` bytes, so a file that grows after `stat` is
 * still refused instead of read without bound. Throws an `InputError` saying
 * why a file was refused.
 */
export async function readFileBounded(
  file: string,
  maxBytes: number,
  options: ReadFileBoundedOptions = {},
): Promise<BoundedFile> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new InputError('not a regular file (FIFO, socket or device)');
    if (options.onOpen) {
      const head = Buffer.alloc(Math.min(options.headBytes ?? 0, maxBytes));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      options.onOpen(stat, head.subarray(0, bytesRead));
    }
    if (stat.size > maxBytes) {
      throw new InputError(`file is ${stat.size} bytes, larger than the ${maxBytes} bytes allowed`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= maxBytes) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, total);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > maxBytes) throw new InputError(`file grew past the ${maxBytes} bytes allowed while it was read`);
    return { data: Buffer.concat(chunks, total), stat };
  } finally {
    await handle.close();
  }
}
