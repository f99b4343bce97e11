import type { DoctorContext } from '../context.js';
import { fail, pass, type Check } from '../types.js';

/** Writes a row and reads it back inside a transaction that is rolled back: the table is left as it was. */
export const roundTripCheck: Check<DoctorContext> = {
  id: 'pg.roundtrip',
  title: 'Write-read round trip',
  needs: ['pg.privileges', 'pg.schema'],
  async run(context) {
    const session = context.session!;
    const start = performance.now();
    await session.query('begin');
    try {
      const inserted = await session.query<{ id: number }>("insert into stuff (stuff, things) values ('kit-db-test doctor', 'rolled back') returning id");
      const id = inserted.rows[0]!.id;
      const back = await session.query<{ stuff: string }>('select stuff from stuff where id = $1', [id]);
      if (back.rows[0]?.stuff !== 'kit-db-test doctor') return fail('the row written could not be read back', [`row ${id}`]);
    } catch (error) {
      return fail(`the round trip failed: ${(error as Error).message}`, [(error as { code?: string }).code ? `SQLSTATE ${(error as { code?: string }).code}` : ''].filter(Boolean));
    } finally {
      await session.query('rollback').catch(() => undefined);
    }
    return pass(`wrote and read back a row in ${Math.round((performance.now() - start) * 10) / 10} ms (rolled back)`);
  },
};
