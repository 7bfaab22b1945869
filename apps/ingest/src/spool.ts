import { close, createWriteStream, open, unlink } from 'node:fs';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';

/** An upload in the spool: an open descriptor on a file that no longer has a name. */
export interface SpooledFile extends Express.Multer.File {
  fd: number;
}

export function isSpooled(file: Express.Multer.File): file is SpooledFile {
  return typeof (file as Partial<SpooledFile>).fd === 'number';
}

const closeFd = promisify(close);

/** Closes an upload's descriptor, once (that frees its disk space). */
export async function releaseUpload(file: Express.Multer.File): Promise<void> {
  if (!isSpooled(file) || file.fd < 0) return;
  const fd = file.fd;
  file.fd = -1;
  await closeFd(fd).catch(() => undefined);
}

/**
 * Where an upload waits while it is received: a private directory (0700), never the shared
 * temp directory. Each upload's file is unlinked the moment it is created, so from then on only
 * the open descriptor keeps it: when the process ends, however it ends (SIGKILL included,
 * which no `finally` survives), the kernel frees it and no extract (names, NHS numbers) is
 * left on disk. The name exists only between open and unlink; `emptySpool` at start-up removes
 * anything a kill left in that window.
 */
export class SpoolStorage implements StorageEngine {
  constructor(private readonly dir: string) {}

  _handleFile(_req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<SpooledFile>) => void): void {
    const path = join(this.dir, `${UPLOAD_PREFIX}${randomBytes(16).toString('hex')}`);
    open(path, 'wx+', 0o600, (err, fd) => {
      if (err) return cb(err);
      unlink(path, (unlinkErr) => {
        if (unlinkErr) {
          close(fd, () => cb(unlinkErr));
          return;
        }
        // autoClose: false keeps the descriptor open after a full write (the controller reads it).
        // On a failure pipeline destroys the stream, and a destroyed fs stream closes its fd
        // whatever autoClose says: so the stream closes it then, never a second close here
        // (which could hit a descriptor number already reused).
        const out = createWriteStream('', { fd, autoClose: false });
        pipeline(file.stream, out, (pipeErr) => {
          if (pipeErr) {
            if (out.closed) cb(pipeErr);
            else out.once('close', () => cb(pipeErr)).destroy();
            return;
          }
          cb(null, { fd, size: out.bytesWritten });
        });
      });
    });
  }

  /** multer's clean-up when a request fails after the file was stored. */
  _removeFile(_req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    void releaseUpload(file).then(() => cb(null));
  }
}

/**
 * Creates the spool directory (0700, also when it already existed with a wider mode) and removes
 * the uploads in it: whatever is there was left by a process that is gone. Only this storage's
 * own `upload-*` files: INGEST_SPOOL_DIR pointed by mistake at a directory in use (/tmp, a data
 * directory) must not have its contents deleted at every start. Returns how many it removed.
 */
export async function emptySpool(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const uploads = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.startsWith(UPLOAD_PREFIX));
  for (const e of uploads) await rm(join(dir, e.name), { force: true });
  return uploads.length;
}

const UPLOAD_PREFIX = 'upload-';
