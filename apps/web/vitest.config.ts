import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

export default defineConfig({ test: { ...sharedTestOptions, include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts'] } });
