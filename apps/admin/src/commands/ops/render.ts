import { join, resolve } from 'node:path';
import { findProjectRoot } from '@kit-db-test/schema';
import { CliError, UsageError } from '../../cli/cli-error.js';
import { columns, type Output } from '../../cli/output.js';
import { resolveConfig } from '../../cli/resolve-config.js';
import { buildBasePath } from '../../doctor/site/site-settings.js';
import { readUtf8 } from '../../doctor/system-files.js';
import { databaseFacts } from '../../ops/database-facts.js';
import { loadTemplates } from '../../ops/load-templates.js';
import { renderFiles, type RenderedFile } from '../../ops/render-files.js';
import { renderPlan, type RenderPlan } from '../../ops/render-plan.js';
import { renderRequest, type RawRenderOptions } from '../../ops/render-request.js';
import { TemplateError } from '../../ops/template.js';
import { checkOutFolder, checkTree, writeTree } from '../../ops/write-tree.js';

export interface OpsRenderOptions extends RawRenderOptions {
  /** replace files an earlier render wrote under --out */
  force?: boolean;
}

const mode = (m: number) => `0${m.toString(8)}`;

function printSteps(plan: RenderPlan, io: Output): void {
  const { bold, dim, yellow } = io.colors;
  // Printed as a shell script: notes are comments, so a copied block runs as it reads.
  plan.steps.forEach((step, i) => {
    io.out();
    io.out(bold(`# ${i + 1}. ${step.title}`));
    for (const note of step.notes) io.out(note.startsWith('WARNING') ? yellow(`# ${note}`) : dim(`# ${note}`));
    for (const command of step.commands) io.out(command);
  });
}

/**
 * `pnpm admin ops render`: fills the templates in ops/ for this configuration and layout, writes
 * them under --out (or prints them), then prints where each goes and the commands that apply
 * them. It runs none of those commands, and no password reaches any file or the output.
 */
export async function opsRenderCommand(options: OpsRenderOptions, io: Output): Promise<void> {
  const checkoutRoot = findProjectRoot() ?? process.cwd();
  const build = readUtf8(join(checkoutRoot, 'apps/web/build/adapter-node.js'));
  const request = renderRequest(options, {
    checkoutRoot,
    buildBasePath: 'text' in build ? buildBasePath(build.text) : null,
    envBasePath: process.env.BASE_PATH,
  });
  const out = options.out === undefined ? null : resolve(options.out);
  if (out !== null) checkOutFolder(out);
  else if (options.force) throw new UsageError('--force: replaces files under --out; give --out DIR too');

  const config = resolveConfig(options.profile);
  const plan = renderPlan(request, databaseFacts(config, request.installDir), out ?? 'OUT');
  let files: RenderedFile[];
  try {
    files = renderFiles(plan, loadTemplates());
  } catch (error) {
    if (error instanceof TemplateError) throw new CliError(`template: ${error.message}; fix the template under ops/`);
    throw error;
  }
  const force = options.force === true;
  if (out !== null) checkTree(out, files, force);

  const { bold, dim, yellow } = io.colors;
  io.out(bold('kit-db-test ops render'));
  io.out(columns(plan.summary).join('\n'));
  for (const warning of request.warnings) io.err(yellow(`! ${warning}`));

  io.out();
  const serviceUser = request.serviceUser;
  const where = (f: RenderedFile) =>
    f.destination === null ? 'used from there by the steps below' : `→ ${f.destination}  ${mode(f.mode)}${f.mode === 0o640 ? ` root:${serviceUser}` : ''}`;
  if (out !== null) {
    writeTree(out, files, force);
    io.out(bold(`files written under ${out}`));
    io.out(columns(files.map((f) => [f.outPath, where(f)])).join('\n'));
  } else {
    for (const file of files) {
      io.out(bold(`==> OUT/${file.outPath} (${file.destination === null ? 'not installed as is' : `${file.destination}, mode ${mode(file.mode)}`}) <==`));
      io.out(file.text.replace(/\n$/, ''));
      io.out();
    }
    io.out(dim('(nothing written: render with --out DIR to write these files; the steps name them under OUT)'));
  }

  io.out();
  io.out(bold('next steps, as root, in order: nothing has been run'));
  printSteps(plan, io);
}
