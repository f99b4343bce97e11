/**
 * An expected failure: a one-line message (what failed, and the next step) and the exit code.
 * Commands throw it; only bin.ts prints it and exits.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Misuse of the command line (exit 2), e.g. --reset on a non-terminal without --yes. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}
