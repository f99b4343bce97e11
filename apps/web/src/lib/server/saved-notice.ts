import type { Cookies } from '@sveltejs/kit';

// One cookie per saved row, so two tabs saving at once each get their own notice.
const PREFIX = 'kdt-saved-';
// Long enough for the redirect that follows the post, on a slow link; not a record of what was saved.
const MAX_AGE_SECONDS = 120;

/** Where the notice lives: the page the redirect leads to, and whether the site is served over https. */
export interface NoticeScope {
  path: string;
  secure: boolean;
}

/**
 * After a save, marks in this browser that it saved row `id`: an HttpOnly, SameSite=Strict cookie
 * that another site can neither set nor read, so "Saved #id" cannot be shown by a crafted link.
 */
export function rememberSaved(cookies: Cookies, id: number, scope: NoticeScope): void {
  cookies.set(`${PREFIX}${id}`, '1', { ...scope, httpOnly: true, sameSite: 'strict', maxAge: MAX_AGE_SECONDS });
}

/**
 * The row of `?saved=N` if this browser just saved it, else null. The mark is used up: a reload,
 * or the same link later, shows no notice.
 */
export function takeSaved(cookies: Cookies, saved: string | null, scope: NoticeScope): number | null {
  if (saved === null || !/^\d{1,15}$/.test(saved)) return null;
  const id = Number(saved);
  const name = `${PREFIX}${id}`;
  if (cookies.get(name) === undefined) return null;
  cookies.delete(name, { ...scope, httpOnly: true, sameSite: 'strict' });
  return id;
}
