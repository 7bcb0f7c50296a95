#!/usr/bin/env node
/**
 * `node tools/rehearse/cli.mjs [options]` (what `npm run rehearse` runs): starts main.ts through
 * the workspace's ts-node with its swc transpiler, which strips the types without checking them
 * (`nx run tools:typecheck` does that), so start-up costs about 0.3 s and needs only node: the
 * rehearsal's tests run it with nothing else on PATH.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const load = createRequire(import.meta.url);
load('ts-node').register({ swc: true, project: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
load('./main.ts').cli();
