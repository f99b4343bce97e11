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
  .command('doctor')
  .description('find why the app cannot talk to its database, and say the exact fix')
  .addOption(profileOption())
  .option('--hba-file <path>', 'pg_hba.conf to read (default: SHOW hba_file, else the usual places)')
  .option('--server-log <path>', "PostgreSQL's log, for the reason of a refused login (default: the usual places)")
  .option('--service-user <name>', 'the OS account that runs the site, for SQLite permission checks (default: you)')
  .option('--root <dir>', 'read system files (pg_hba.conf, logs, /etc) under this folder instead of /')
  .option('--json', 'print one JSON object')
  .option('--verbose', 'show the evidence of passing checks too, and timings')
  .action(async (options) => (await import('./commands/doctor.js')).doctorCommand(options, io));

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
    // An empty message: the command has already reported (the doctor's own report).
    if (error.message) io.err(`${io.colors.red('✗')} ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
