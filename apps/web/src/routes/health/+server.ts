import { health } from '#lib/server/health.js';
import { publicHealth } from '#lib/server/public-view.js';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  const report = await health();
  return Response.json(locals.details ? report : publicHealth(report), { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
};
