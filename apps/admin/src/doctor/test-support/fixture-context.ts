import { loadConfig, type ResolvedConfig } from '@kit-db-test/schema';
import { recordedCommands, type CommandResult } from '../command-runner.js';
import type { DoctorContext, DoctorOptions } from '../context.js';
import { siteSettings, type SiteSettings } from '../site/site-settings.js';
import { SystemFiles } from '../system-files.js';

export interface FixtureContextInput {
  /** a folder laid out like a server's / (etc/, var/, sys/ …) */
  root: string;
  /** recorded program outputs, keyed by command line ("getsebool -a") */
  commands?: Record<string, Partial<CommandResult> | string>;
  /** the database URL the configuration resolves to (default: the embedded SQLite default) */
  databaseUrl?: string;
  /** overrides of the site's settings (otherwise resolved from the fixture's unit and env files) */
  site?: Partial<SiteSettings>;
  options?: DoctorOptions;
}

/**
 * A doctor context over a fixture: system files under `root`, programs answered from recordings.
 * For checks that need no database, run them directly: `await check.run(fixtureContext({...}))`.
 */
export function fixtureContext(input: FixtureContextInput): DoctorContext & { commands: ReturnType<typeof recordedCommands> } {
  const files = new SystemFiles(input.root);
  const config: ResolvedConfig = loadConfig({
    root: input.root,
    env: input.databaseUrl ? { DATABASE_URL: input.databaseUrl } : {},
  });
  const site = { ...siteSettings({ files, projectRoot: input.root, processEnv: {}, envFile: input.options?.envFile, publicUrl: input.options?.publicUrl }), ...input.site };
  return {
    options: { root: input.root, ...input.options },
    files,
    timeoutMs: 1000,
    config,
    commands: recordedCommands(input.commands ?? {}),
    site,
  };
}
