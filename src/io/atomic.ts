/**
 * Crash-safe file output: write to a temporary file beside the target, fsync, then rename —
 * whole (`writeFileAtomic`) or streamed in bounded pieces (`AtomicFile`).
 * A reader never sees a half-written file, and a failed command leaves no partial output.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error: unknown) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * A file written in pieces and published whole: opened as a temporary file beside the target
 * at once (so a missing directory fails before any work is done), appended with `write`,
 * then fsynced and renamed over the target by `commit`, or removed by `abort`. A crash or an
 * error never leaves a partial target behind.
 */
export class AtomicFile {
  private fd: number | undefined;
  private readonly temp: string;

  /** Throws the `open` error (ENOENT, EISDIR, EACCES …) when the temporary file cannot be created. */
  constructor(readonly path: string) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.fd = openSync(this.temp, 'w', 0o644);
  }

  write(text: string): void {
    if (this.fd === undefined) throw new Error(`AtomicFile ${this.path}: write after commit or abort`);
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
  }

  commit(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.temp, this.path);
    } catch (error: unknown) {
      rmSync(this.temp, { force: true });
      throw error;
    }
  }

  abort(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    closeSync(fd);
    rmSync(this.temp, { force: true });
  }
}
