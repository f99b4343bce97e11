import { ConfigError, findProjectRoot, loadConfig } from '@kit-db-test/schema';
import { CliError } from '../cli/cli-error.js';
import type { Output } from '../cli/output.js';
import { checksFor } from '../doctor/checks.js';
import type { DoctorContext, DoctorOptions } from '../doctor/context.js';
import { Progress } from '../doctor/progress.js';
import { closingLine, formatResult } from '../doctor/report.js';
import { runChecks } from '../doctor/run-checks.js';
import { selectChecks } from '../doctor/select-checks.js';
import { systemCommands } from '../doctor/command-runner.js';
import { databaseEnvironment } from '../doctor/site/database-environment.js';
import { siteEnvironment, siteSettings } from '../doctor/site/site-settings.js';
import { SystemFiles } from '../doctor/system-files.js';
import type { CheckResult } from '../doctor/types.js';

/** Every network step of the doctor gives up after this long: a black-holed host cannot hang it. */
export const NETWORK_TIMEOUT_MS = 3000;

function report(results: CheckResult[], profile: string | null, options: DoctorOptions, io: Output): void {
  const ok = !results.some((r) => r.status === 'fail');
  if (options.json) {
    const checks = results.map(({ ms, stack, ...r }) => (options.verbose ? { ...r, ms, ...(stack ? { stack } : {}) } : r));
    io.out(JSON.stringify({ ok, profile, checks }, null, 2));
  } else {
    io.out(closingLine(results, io.colors));
  }
  if (!ok) throw new CliError('', 1);
}

/**
 * `pnpm admin doctor`: finds why the app cannot talk to its database. One line per check, in
 * dependency order; under a warning or failure the evidence and the exact fix.
 */
export async function doctorCommand(options: DoctorOptions, io: Output): Promise<void> {
  const files = new SystemFiles(options.root);
  // The service's environment first: its file chooses the database when the doctor's own does not.
  const environment = siteEnvironment({ files, processEnv: process.env, envFile: options.envFile });
  const database = databaseEnvironment(process.env, environment);
  let config;
  try {
    config = loadConfig({ profile: options.profile, env: database.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const result: CheckResult = { id: 'config.valid', title: 'Configuration', status: 'fail', summary: error.message, evidence: database.notes, fix: ['fix it, then check with pnpm admin config'] };
    if (!options.json) for (const line of formatResult(result, io.colors, options.verbose)) io.out(line);
    return report([result], null, options, io);
  }
  const checks = selectChecks(checksFor(config), options.only);
  // The site's build is in this checkout (KDT_ROOT may point elsewhere, at config/ and data/ only).
  const site = siteSettings({ files, projectRoot: findProjectRoot() ?? config.root, processEnv: process.env, envFile: options.envFile, publicUrl: options.publicUrl, environment });
  const context: DoctorContext = { options, files, timeoutMs: NETWORK_TIMEOUT_MS, config, commands: systemCommands, site, configNotes: database.notes };
  const progress = new Progress();
  if (!options.json) io.out(io.colors.bold(`kit-db-test doctor: profile ${config.profile.name}, ${config.target.driver}`));
  try {
    const results = await runChecks(checks, context, {
      onStart: (check) => progress.start(check.title),
      onResult: (result) => {
        progress.stop();
        if (!options.json) for (const line of formatResult(result, io.colors, options.verbose)) io.out(line);
      },
    });
    report(results, config.profile.name, options, io);
  } finally {
    progress.stop();
    await context.session?.end().catch(() => undefined);
  }
}
