import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The sub-path the site is served under behind httpd (e.g. /kit-db-test), fixed at build time:
// SvelteKit bakes it into every link, asset and form action.
const basePath = (process.env.BASE_PATH ?? '').replace(/\/+$/, '');
if (basePath !== '' && !/^\/[A-Za-z0-9._~\/-]+$/.test(basePath)) {
  throw new Error(`BASE_PATH: expected a path such as /kit-db-test, got "${process.env.BASE_PATH}"`);
}

export default defineConfig({
  plugins: [
    sveltekit({
      // KDT_BUILD_DIR lets the tests build a sub-path variant beside the default build.
      adapter: adapter({ out: process.env.KDT_BUILD_DIR ?? 'build' }),
      paths: { base: basePath as '' | `/${string}` },
    }),
  ],
});
