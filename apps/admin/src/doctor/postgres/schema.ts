import type { DoctorContext } from '../context.js';
import { schemaOutcome } from '../schema-diff.js';
import type { Check } from '../types.js';

export const schemaCheck: Check<DoctorContext> = {
  id: 'pg.schema',
  title: 'Schema matches the entity',
  needs: ['pg.database'],
  run: (context) => schemaOutcome(context.config),
};
