import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_NAMES, type TemplateName } from './render-plan.js';

/** ops/ at the repository root: four levels up from src/ops/ and from dist/ops/ alike. */
export const OPS_DIR = fileURLToPath(new URL('../../../../ops/', import.meta.url));

/** Reads every template under `dir` (default: the checkout's ops/). */
export function loadTemplates(dir: string = OPS_DIR): Record<TemplateName, string> {
  return Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, readFileSync(`${dir}/${name}`, 'utf8')])) as Record<TemplateName, string>;
}
