// httpd: the reverse proxy in front of the site. checks.ts wires these into the doctor.
export { httpdChecks, installedCheck, configTestCheck, modulesCheck, proxyCheck, errorLogCheck, NOT_INSTALLED } from './checks.js';
export { vhostCheck } from './vhost-check.js';
export { discoverHttpd, httpdInstall, type HttpdInstall, type Layout } from './install.js';
export { parseConfig, type ConfigReader, type Directive, type ParsedConfig, type Section } from './config-parser.js';
export { analyzeProxy, type ProxyAnalysis, type Finding } from './proxy-analysis.js';
export { explainProxyErrors, recentEntries, type ProxyProblem } from './error-log.js';
