import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempProject {
  /** Use as KDT_ROOT: holds config/ and, once used, data/. */
  root: string;
  /** Writes config/NAME.json. */
  writeProfile(name: string, profile: unknown): string;
  /** Writes a file under root (e.g. a password file) with the given mode. */
  writeFile(relativePath: string, content: string, mode?: number): string;
  remove(): void;
  [Symbol.dispose](): void;
}

/** A throwaway project folder, so tests choose profiles without touching the checkout's config/. */
export function tempProject(): TempProject {
  const root = mkdtempSync(join(tmpdir(), 'kdt-project-'));
  mkdirSync(join(root, 'config'));
  const project: TempProject = {
    root,
    writeProfile(name, profile) {
      const file = join(root, 'config', `${name}.json`);
      writeFileSync(file, typeof profile === 'string' ? profile : JSON.stringify(profile, null, 2));
      return file;
    },
    writeFile(relativePath, content, mode = 0o600) {
      const file = join(root, relativePath);
      writeFileSync(file, content, { mode });
      return file;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
    [Symbol.dispose]() {
      project.remove();
    },
  };
  return project;
}
