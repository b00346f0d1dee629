import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from './errors.js';

export interface StoredBlob {
  sha256: string;
  size: number;
}

/**
 * Content-addressed file storage: a blob's name is the SHA-256 of its bytes, so storing the same
 * bytes twice is one file, and what is read back can be checked against the name. The disk store
 * is the embedded default; an S3-compatible store implements the same three calls.
 */
export interface BlobStore {
  /**
   * Streams `source` into the store, never holding it whole in memory. Bytes beyond `maxBytes`, or a
   * stream that breaks off, leave nothing behind and reject (413 for the limit); a `declaredBytes`
   * over the limit is refused before anything is read. `source` is never destroyed: on failure the
   * caller still owns the rest of it (an HTTP request can then be drained and answered).
   */
  put(source: Readable, options: { maxBytes: number; declaredBytes?: number | undefined }): Promise<StoredBlob>;
  /** A stream of the blob's bytes (`range`: from `start` to `end`, both inclusive); rejects with not-found when absent. */
  open(sha256: string, range?: { start: number; end: number }): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
}

const SHA256 = /^[0-9a-f]{64}$/;

const tooLarge = (maxBytes: number) => new AppError('payload-too-large', { en: `the file is larger than ${maxBytes} bytes`, zh: `文件大于 ${maxBytes} 字节` });

export class DiskBlobStore implements BlobStore {
  private readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError('not-found', { en: 'no such file', zh: '没有该文件' });
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable, { maxBytes, declaredBytes }: { maxBytes: number; declaredBytes?: number | undefined }): Promise<StoredBlob> {
    if (declaredBytes !== undefined && declaredBytes > maxBytes) throw tooLarge(maxBytes);
    const incoming = join(this.root, 'incoming');
    await mkdir(incoming, { recursive: true });
    const temp = join(incoming, randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) return callback(tooLarge(maxBytes));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    // `source` is piped rather than put in the pipeline, so a failure does not destroy it; its own
    // failure (a client that breaks off) still fails the pipeline through the meter.
    const forwardFailure = (err?: Error) => meter.destroy(err ?? new AppError('bad-request', { en: 'the upload broke off before it was complete', zh: '上传在完成前中断' }));
    const brokeOff = () => {
      if (!source.readableEnded) forwardFailure();
    };
    source.once('error', forwardFailure);
    source.once('close', brokeOff);
    source.pipe(meter);
    try {
      await pipeline(meter, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await mkdir(join(target, '..'), { recursive: true });
      // Same bytes, same name: renaming over an existing copy changes nothing.
      await rename(temp, target);
      return { sha256, size };
    } catch (err) {
      source.unpipe(meter);
      await rm(temp, { force: true });
      if (err instanceof AppError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as { code?: string }).code === 'ECONNRESET') {
        throw new AppError('bad-request', { en: 'the upload broke off before it was complete', zh: '上传在完成前中断' });
      }
      throw err;
    } finally {
      source.off('error', forwardFailure);
      source.off('close', brokeOff);
    }
  }

  async open(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const path = this.pathOf(sha256);
    if (!(await this.exists(sha256))) throw new AppError('not-found', { en: 'no such file', zh: '没有该文件' });
    return createReadStream(path, range);
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch {
      return false;
    }
  }
}
