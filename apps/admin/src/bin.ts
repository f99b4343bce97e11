#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './cli/cli-error.js';
import { terminalOutput } from './cli/output.js';

// The entry point only assembles the commands (each loaded on use) and decides the exit code:
// 0 done, 1 a failure the message explains, 2 a usage error.
const io = terminalOutput();
const profileOption = () => new Option('-p, --profile <name>', 'profile in config/ to use (default: KDT_PROFILE, config/live, else embedded SQLite)');

const program = new Command('pnpm admin')
  .description('kit-db-test: set up and diagnose the database connection of the kit-db-test site')
  .showHelpAfterError('(run "pnpm admin --help" for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program
  .command('init-database')
  .description("bring the database to the entity's schema (idempotent; never drops anything without --reset)")
  .addOption(profileOption())
  .option('--dry-run', 'print the SQL that would run, and run nothing')
  .option('--reset', 'drop and re-create table stuff, deleting its rows (asks on a terminal)')
  .option('-y, --yes', 'confirm --reset without asking (for scripts)')
  .action(async (options) => (await import('./commands/init-database.js')).initDatabaseCommand(options, io));

program
  .command('config')
  .description('show the resolved configuration, where each value came from, password masked')
  .addOption(profileOption())
  .option('--json', 'print one JSON object')
  .action(async (options) => (await import('./commands/config.js')).configCommand(options, io));

for (const command of program.commands) command.exitOverride().showHelpAfterError(`(run "pnpm admin ${command.name()} --help" for usage)`);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other complaint of the parser is a usage error.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    io.err(`${io.colors.red('✗')} ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
