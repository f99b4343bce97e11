import { health } from '#lib/server/health.js';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
  const report = await health();
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
};
