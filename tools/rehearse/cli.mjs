#!/usr/bin/env node
/**
 * `node tools/rehearse/cli.mjs [options]` (what `npm run rehearse` runs): loads main.ts through the
 * workspace's source hook (tools/source/register.cjs: swc, transpile-only, its output kept by
 * content), as `npm run synth` loads the app. Types are not checked here (`nx run tools:typecheck`
 * does that), so start-up costs about 0.2 s (ts-node with swc took about 0.7 s) and needs only node:
 * the rehearsal's tests run it with nothing else on PATH.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
load('../source/register.cjs');
load('./main.ts').cli();
