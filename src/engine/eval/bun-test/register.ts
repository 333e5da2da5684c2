import { register } from 'node:module';

/** `node --import register.js --test file.test.ts`: installs the bun:test hooks (loader.ts). */
register(new URL('./loader.js', import.meta.url));
