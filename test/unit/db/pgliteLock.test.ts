import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DirectoryInUseError, LOCK_FILE, lockDirectory } from "../../../src/db/pgliteLock.js";

const freshDir = () => join(mkdtempSync(join(tmpdir(), "pglite-lock-")), "data");

describe("PGlite directory lock", () => {
  it("holds our pid while taken and is gone once released", () => {
    const dir = freshDir();
    const lock = lockDirectory(dir);
    expect(readFileSync(join(dir, LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("refuses a directory a live process holds, naming that process", () => {
    const dir = freshDir();
    const lock = lockDirectory(dir);
    expect(() => lockDirectory(dir)).toThrow(DirectoryInUseError);
    expect(() => lockDirectory(dir)).toThrow(new RegExp(`in use by process ${process.pid}`));
    lock.release();
  });

  it("takes over a stale lock whose process is gone", () => {
    const dir = freshDir();
    lockDirectory(dir); // creates the directory
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid!; // exited by now
    writeFileSync(join(dir, LOCK_FILE), `${gone}\n`);
    const lock = lockDirectory(dir);
    expect(readFileSync(join(dir, LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
    lock.release();
  });

  it("takes over a lock file with no pid in it", () => {
    const dir = freshDir();
    lockDirectory(dir).release();
    writeFileSync(join(dir, LOCK_FILE), "");
    lockDirectory(dir).release();
  });
});
