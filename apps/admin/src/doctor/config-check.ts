import { describeConfig } from '@kit-db-test/schema';
import type { DoctorContext } from './context.js';
import { pass, warn, type Check } from './types.js';

/** The configuration resolved (loading it already validated it): what it points at, password masked. */
export const configCheck: Check<DoctorContext> = {
  id: 'config.valid',
  title: 'Configuration',
  async run(context) {
    const d = describeConfig(context.config);
    const summary = `profile ${d.profile.name} (${d.profile.file ? `${d.profile.file}, ` : ''}chosen by ${d.profile.selectedBy}): ${d.target}`;
    const settings = [...(context.configNotes ?? []), ...d.settings.map((s) => `${s.key} = ${s.value} (${s.source})`)];
    if (d.warnings.length > 0) return warn(summary, [...d.warnings, ...settings]);
    return pass(summary, settings);
  },
};
