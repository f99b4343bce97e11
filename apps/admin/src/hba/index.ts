/** The pg_hba.conf engine: parse as PostgreSQL 15 to 18 do, match a connection, lint. Pure: no I/O. */
export { parseHba } from './parse.js';
export { HbaReadBudgetError, READ_BUDGET, type ReadBudget } from './read-lines.js';
export { TOO_COSTLY } from './name-regex.js';
export { matchHba, matchWithout, ruleMatches, explainShadow, type ShadowReport } from './match.js';
export { lintHba } from './lint.js';
export { covers } from './covers.js';
export { fileRulesView, type HbaFileRulesRow } from './view.js';
export { splitLogicalLines, tokenizeLine, type LogicalLine, type TokenizedLine } from './tokenize.js';
export { nodeHbaFiles } from './node-files.js';
export type * from './types.js';
export { AUTH_METHODS, CONNECTION_TYPES } from './types.js';
