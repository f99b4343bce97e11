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
import { explanationLines } from '../doctor/history/explain-text.js';
import { recordRun, type Recorded } from '../doctor/history/record-run.js';
import { HistoryError, RunStore } from '../doctor/history/run-store.js';
import { stateDir } from '../doctor/history/state-dir.js';

/** The doctor's options with where its history goes (--state-dir, --no-history). */
export type DoctorCommandOptions = DoctorOptions & { stateDir?: string; history?: boolean };

/** Every network step of the doctor gives up after this long: a black-holed host cannot hang it. */
export const NETWORK_TIMEOUT_MS = 3000;

function report(results: CheckResult[], profile: string | null, options: DoctorOptions, io: Output, recorded: Recorded | null = null): void {
  const ok = !results.some((r) => r.status === 'fail');
  if (options.json) {
    const checks = results.map(({ ms, stack, ...r }) => (options.verbose ? { ...r, ms, ...(stack ? { stack } : {}) } : r));
    const history = recorded ? { history: { saved: recorded.path, whatChanged: recorded.explanation } } : {};
    io.out(JSON.stringify({ ok, profile, checks, ...history }, null, 2));
  } else {
    io.out(closingLine(results, io.colors));
    if (recorded?.explanation) {
      io.out();
      for (const line of explanationLines(recorded.explanation)) io.out(line);
    }
  }
  if (!ok) throw new CliError('', 1);
}

/** Stores the run in the state folder; a folder it cannot write costs the history, not the diagnosis. */
async function remember(context: DoctorContext, results: CheckResult[], options: DoctorCommandOptions, io: Output): Promise<Recorded | null> {
  if (options.history === false) return null;
  const store = new RunStore(stateDir({ stateDir: options.stateDir, env: process.env, uid: process.getuid?.() ?? null }));
  try {
    return await recordRun(context, results, store);
  } catch (error) {
    // The diagnosis above stands whatever happens to its history; a bug keeps its stack for --verbose.
    const message = error instanceof HistoryError ? error.message : `the doctor's history failed: ${error instanceof Error ? error.message : String(error)} (the report above is complete; --no-history skips it)`;
    io.err(`${io.colors.yellow('!')} ${message}`);
    if (options.verbose && !(error instanceof HistoryError) && error instanceof Error && error.stack) io.err(error.stack);
    return null;
  }
}

/**
 * `pnpm admin doctor`: finds why the app cannot talk to its database. One line per check, in
 * dependency order; under a warning or failure the evidence and the exact fix.
 */
export async function doctorCommand(options: DoctorCommandOptions, io: Output): Promise<void> {
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
    report(results, config.profile.name, options, io, await remember(context, results, options, io));
  } finally {
    progress.stop();
    await context.session?.end().catch(() => undefined);
  }
}
