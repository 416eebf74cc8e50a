import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

/** Name of the lock file inside a PGlite data directory. */
export const LOCK_FILE = "risk-api.lock";

export class DirectoryInUseError extends Error {}

export interface DirectoryLock {
  path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Takes the PGlite data directory for this process: a lock file created exclusively,
 * holding our pid. PGlite is single-process; a second server on the same directory
 * would corrupt it, so it refuses to start with the holder's pid. A lock whose process
 * is gone (a crash, kill -9) is stale and taken over.
 */
export function lockDirectory(dataDir: string): DirectoryLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch {
      // removed meanwhile, or unreadable: try again
    }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
      throw new DirectoryInUseError(
        `PGlite directory ${resolve(dataDir)} is in use by process ${holder} (lock file ${resolve(path)}). ` +
          `Stop that server first, or set PGLITE_DIR to another directory.`,
      );
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new DirectoryInUseError(`could not take the lock file ${resolve(path)}`);
}
