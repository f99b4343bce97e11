import { readdirSync, readFileSync } from 'node:fs';
import type { HbaFileReader } from './types.js';

/**
 * The one place that touches the disk: reads included files for parseHba() from the local file
 * system (pass `{ ...nodeHbaFiles, file, serverMajor }`). Errors keep node:fs's `code`.
 */
export const nodeHbaFiles: Required<HbaFileReader> = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readDir: (path) => readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() })),
};
