import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError } from './errors.js';

/**
 * Ranged downloads of a stored file (RFC 9110 §14): the range a request asks for, and the answer
 * that sends it with the file's validators. Download grants and open public data serve files alike.
 */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * RFC 9110 §14.2: one `bytes=` range (first-last, first-, or -suffix). Undefined: serve the whole
 * file (no header, or one this server does not honour, such as several ranges). A range that starts
 * past the end is 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1]!, match[2]!];
  let range: ByteRange;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw rangeNotSatisfiable(size);
    range = { start: Math.max(0, size - suffix), end: size - 1 };
  } else {
    const start = Number(first);
    const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return undefined;
    range = { start, end };
  }
  if (range.start >= size || size === 0) throw rangeNotSatisfiable(size);
  return range;
}

const rangeNotSatisfiable = (size: number) => new AppError('range-not-satisfiable', { en: `the file has ${size} bytes`, zh: `文件大小为 ${size} 字节` }, { size });

/**
 * The range to serve: If-Range with a validator that is not the file's own means the client's copy
 * is stale, so the whole file is sent.
 */
export function requestedRange(file: { sha256: string; sizeBytes: number }, range: string | undefined, ifRange: string | undefined): ByteRange | undefined {
  const honoured = ifRange === undefined || ifRange === `"${file.sha256}"` ? range : undefined;
  return parseRange(honoured, file.sizeBytes);
}

/** The whole file's span when no range was asked for (undefined for an empty file). */
export const spanOf = (file: { sizeBytes: number }, range: ByteRange | undefined) => range ?? (file.sizeBytes > 0 ? { start: 0, end: file.sizeBytes - 1 } : undefined);

/** What a download route documents for its Range and If-Range headers and its answers. */
export const RangeHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200, pattern: '^[\\x20-\\x7e]*$' })),
  'if-range': Type.Optional(Type.String({ maxLength: 200, pattern: '^[\\x20-\\x7e]*$' })),
});

/** The bytes of a download, whatever their media type. */
export const FileBytes = (description: string) => ({ description, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } });

export interface StoredFileDownload {
  file: { sha256: string; sizeBytes: number; mediaType: string; filename: string | null };
  range: ByteRange | undefined;
  body: Readable;
}

/**
 * Starts a download and sends it: ETag is the SHA-256 of the whole file, Repr-Digest and Digest
 * carry it too, and Content-Digest the bytes of a whole-file answer (RFC 9530). A range outside the
 * file answers 416 with the file's size in Content-Range.
 */
export async function sendStoredFile(reply: FastifyReply, start: () => Promise<StoredFileDownload>): Promise<FastifyReply> {
  let download: StoredFileDownload;
  try {
    download = await start();
  } catch (err) {
    const size = (err as { extensions?: { size?: number } }).extensions?.size;
    if (err instanceof AppError && err.code === 'range-not-satisfiable' && size !== undefined) reply.header('content-range', `bytes */${size}`);
    throw err;
  }
  const { file, range, body } = download;
  const digest = Buffer.from(file.sha256, 'hex').toString('base64');
  reply
    .header('etag', `"${file.sha256}"`)
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, no-store')
    .header('repr-digest', `sha-256=:${digest}:`)
    .header('digest', `SHA-256=${digest}`)
    .header('content-disposition', `attachment; filename="${(file.filename ?? 'dataset').replace(/[^\x20-\x7e]|"/g, '_')}"`)
    .type(file.mediaType);
  if (range) {
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${file.sizeBytes}`)
      .header('content-length', range.end - range.start + 1)
      .send(body);
  }
  return reply.code(200).header('content-digest', `sha-256=:${digest}:`).header('content-length', file.sizeBytes).send(body);
}
