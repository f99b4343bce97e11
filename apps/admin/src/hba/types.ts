/** pg_hba.conf as PostgreSQL 15 to 18 read it: the shapes shared by the parser, matcher and linter. */

export const CONNECTION_TYPES = ['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const AUTH_METHODS = [
  'trust',
  'reject',
  'scram-sha-256',
  'md5',
  'password',
  'gss',
  'sspi',
  'ident',
  'peer',
  'ldap',
  'radius',
  'cert',
  'pam',
  'bsd',
  'oauth',
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** One word of a field, as the server keeps it: the text without quotes, and whether it began with a quote. */
export interface HbaToken {
  text: string;
  /** Began with `"`: then `all`, `sameuser`, `+role`, ... are plain names, not keywords. */
  quoted: boolean;
}

/** A compiled `/regex` name, evaluated in bounded time whatever the pattern and the name. */
export interface HbaRegex {
  /** The regular expression as written, after the slash. */
  source: string;
  /**
   * `linear`: a non-backtracking engine answers for every name at once, as the server does;
   * `bounded`: lookahead or back-references need a backtracking engine, stopped after a time limit.
   */
  engine: 'linear' | 'bounded';
  /** Whether the name matches anywhere; null when the evaluation was stopped (the regex is too costly). */
  test(name: string): boolean | null;
}

/** A database or user token after parsing: PG16+ compiles `/regex` tokens. */
export interface HbaNameToken extends HbaToken {
  /** Present when the server treats the token as a regular expression (PG16+, text starting with `/`). */
  regex?: HbaRegex;
}

export type HbaAddress =
  | { kind: 'all' }
  | { kind: 'samehost' }
  | { kind: 'samenet' }
  | { kind: 'hostname'; name: string }
  | {
      kind: 'ip';
      family: 4 | 6;
      /** As the server shows it (pg_hba_file_rules.address), e.g. `127.0.0.1`, `::1` */
      address: string;
      /** As the server shows it (pg_hba_file_rules.netmask), e.g. `255.255.255.255` */
      netmask: string;
      bits: bigint;
      maskBits: bigint;
    };

export interface HbaOption {
  name: string;
  value: string;
}

/** Where an entry comes from: the file (absolute path), the line it starts on, and its text. */
export interface HbaSource {
  file: string;
  line: number;
  /** The logical line, continuation lines joined (the server's "raw line"). */
  raw: string;
}

/** A line the server loads. */
export interface HbaRule extends HbaSource {
  kind: 'rule';
  /** pg_hba_file_rules.rule_number (PG16+): position among the lines the view shows without an error. */
  ruleNumber: number | null;
  type: ConnectionType;
  databases: HbaNameToken[];
  users: HbaNameToken[];
  /** null for `local` lines */
  address: HbaAddress | null;
  method: AuthMethod;
  /** name=value options in file order (a repeated name: the last one counts). */
  options: HbaOption[];
  /**
   * The server loads the line but its view shows this error, e.g. `hostssl record cannot match
   * because SSL is disabled`: the line can never match.
   */
  viewError?: string;
}

/** A line the server refuses: while any exists, a reload keeps the previous rules (and a start fails). */
export interface HbaInvalidLine extends HbaSource {
  kind: 'invalid';
  /** What is wrong, as the server logs it. */
  message: string;
  /**
   * What pg_hba_file_rules.error shows: usually `message`; null for the few errors the server logs
   * without filling the view's column (RADIUS lists, clientcert/clientname values).
   */
  viewError: string | null;
  ruleNumber: number | null;
}

export type HbaEntry = HbaRule | HbaInvalidLine;

export interface HbaFile {
  /** The file parsed (absolute path). */
  file: string;
  serverMajor: number;
  /** Every non-blank line in the order the server sees them (included files in place). */
  entries: HbaEntry[];
  rules: HbaRule[];
  invalid: HbaInvalidLine[];
  /** Whether the server would load this file: no invalid line and at least one rule. */
  loads: boolean;
  /** When it would not: why, in the server's words. */
  loadError?: string;
}

/** What the server was built with (pg_config CONFIGURE) and its settings that change how lines parse. */
export interface HbaServerSettings {
  /** e.g. 15, 16, 17, 18 */
  serverMajor: number;
  /** `ssl` setting; `unsupported` for a build without OpenSSL. Default `on`. */
  ssl?: 'on' | 'off' | 'unsupported';
  /** Optional build features; defaults follow Debian's packages (gssapi, ldap, pam on; bsd, sspi off). */
  build?: { gssapi?: boolean; ldap?: boolean; pam?: boolean; bsdAuth?: boolean; sspi?: boolean };
  /** `oauth_validator_libraries` (PG18), default empty. */
  oauthValidatorLibraries?: string[];
}

/** A directory entry as readDir reports it. */
export interface HbaDirEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * How the engine reads included files (`@file`, `include`, `include_if_exists`, `include_dir`).
 * Functions throw an Error with a `code` (ENOENT, EACCES, EISDIR, ...) as node:fs does.
 */
export interface HbaFileReader {
  readFile(path: string): string;
  readDir?(path: string): HbaDirEntry[];
}

export interface ParseHbaOptions extends HbaServerSettings {
  /** Absolute path of the file (relative includes resolve against its folder). */
  file: string;
  /** Reads included files; without it every include fails as a missing file would. */
  readFile?: HbaFileReader['readFile'];
  readDir?: HbaFileReader['readDir'];
  /** Resolves a RADIUS server name; without it any name is taken as resolvable. */
  resolveHost?: (name: string) => string[];
  /** Limits on reading the file and its includes; default READ_BUDGET. */
  readBudget?: { lines: number; bytes: number; ms: number };
}

/** A connection attempt, as the server sees it when it looks for a matching line. */
export interface HbaRequest {
  /** `local`: unix socket; `host`: TCP/IP */
  type: 'local' | 'host';
  /** TCP only: the connection uses SSL */
  ssl?: boolean;
  /** TCP only: the connection uses GSSAPI encryption */
  gssenc?: boolean;
  database: string;
  user: string;
  /** A physical replication connection (`replication=true`): only the `replication` keyword matches. */
  replication?: boolean;
  /** TCP only: the client's IP address as the server sees it. */
  address?: string;
  /** Whether the role exists (default true): `+role` and `samerole` never match an unknown role. */
  userExists?: boolean;
  /** Roles the user is a member of, directly or not (the user itself counts without being listed). */
  roles?: string[];
  /** The server's network interfaces, for `samehost` and `samenet`. */
  localAddresses?: { address: string; netmask: string }[];
  /** The client's host name by reverse DNS, null when it has none; needed for host-name lines. */
  clientHostName?: string | null;
  /** Forward DNS: the addresses of a name (to confirm the reverse lookup, as the server does). */
  resolveHost?: (name: string) => string[];
}

/** Why a line did not match; `unknown`: a fact the engine was not given; `too-costly`: a regex it stopped (the line may match). */
export type HbaSkipReason = 'type' | 'ssl' | 'gssenc' | 'address' | 'database' | 'user' | 'unknown' | 'too-costly';

export interface HbaSkip {
  rule: HbaRule;
  reason: HbaSkipReason;
  /** e.g. `database "kdt" is not in kdt_app` */
  detail: string;
}

export interface HbaMatch {
  /** The first line that matches; null: the server answers `no pg_hba.conf entry`. */
  rule: HbaRule | null;
  /** Earlier lines that did not match, and why. */
  skipped: HbaSkip[];
  /** Whether the server would load this file; when false it keeps its previous rules. */
  loads: boolean;
}

/** A rule identified by its line (and file, for included files). */
export interface HbaLineRef {
  line: number;
  /** Absolute path; defaults to the main file. */
  file?: string;
}

export type LintSeverity = 'warn' | 'info';

export interface HbaFinding {
  file: string;
  line: number;
  severity: LintSeverity;
  /** Stable identifier, e.g. `unreachable-line` */
  code: string;
  /** One line naming the fix. */
  message: string;
}
