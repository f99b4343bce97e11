import { createHash } from 'node:crypto';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The sub-path the site is served under behind httpd (e.g. /kit-db-test), fixed at build time:
// SvelteKit bakes it into every link, asset and form action.
const basePath = (process.env.BASE_PATH ?? '').replace(/\/+$/, '');
if (basePath !== '' && !/^\/[A-Za-z0-9._~\/-]+$/.test(basePath)) {
  throw new Error(`BASE_PATH: expected a path such as /kit-db-test, got "${process.env.BASE_PATH}"`);
}

// SvelteKit's route announcer (its root component) is the one element with a style attribute.
// 'unsafe-hashes' with its hash lets exactly that attribute through, not any other.
const ANNOUNCER_STYLE =
  'position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); overflow: hidden; white-space: nowrap; width: 1px; height: 1px';
const announcerHash = `sha256-${createHash('sha256').update(ANNOUNCER_STYLE).digest('base64')}` as const;

export default defineConfig({
  plugins: [
    sveltekit({
      // KDT_BUILD_DIR lets the tests build a sub-path variant beside the default build.
      adapter: adapter({ out: process.env.KDT_BUILD_DIR ?? 'build' }),
      paths: { base: basePath as '' | `/${string}` },
      // The page's Content-Security-Policy: its own scripts, styles and requests only; SvelteKit adds
      // the nonce of its inline start-up script. server.js sets the other security headers.
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['none'],
          'script-src': ['self'],
          'style-src': ['self'],
          'style-src-attr': ['unsafe-hashes', announcerHash],
          'img-src': ['self'],
          'connect-src': ['self'],
          'form-action': ['self'],
          'base-uri': ['none'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
});
