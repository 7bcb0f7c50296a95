/**
 * The full synth of the default config, all checks on: the app as its Nx synth target runs it,
 * beside the stock `cdk init` setup, without the CDK's CloudFormation validation (a breakdown),
 * and optionally at a baseline commit, interleaved run by run so that a slow minute on a shared
 * machine hits every variant alike. Its median is the unit ("one synth") of the other scenarios.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mib, sec } from './format';
import { fail, log, measure, nextId, tail, type Command, type RunContext } from './process';
import { summarize, type Sample, type Summary } from './stats';
import { commandOf, withArgs, type SpawnCommand, type SynthTarget } from './workspace';

/** The stock `cdk init` app command: ts-node, type-checking, compiling on every run. */
export const STOCK_APP = 'npx ts-node --prefer-ts-exts src/main.ts';

export interface SynthVariant {
  readonly label: string;
  readonly command: SpawnCommand;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Tries per run: 2 in this checkout, where someone may be rebuilding lib/ at that moment. */
  readonly attempts: number;
}

export interface SynthRun extends Sample {
  /** Template file (relative to the outdir) → sha256 of its content. */
  readonly templates: Map<string, string>;
}

/** The variants of the full synth measured in one workspace. */
export function synthVariants(
  target: SynthTarget,
  appDir: string,
  attempts: number,
): { ours: SynthVariant; stock: SynthVariant; noValidation: SynthVariant } {
  const ours = commandOf(target.command);
  return {
    ours: { label: 'ours', command: ours, cwd: target.cwd, env: {}, attempts },
    stock: { label: 'stock', command: commandOf(STOCK_APP), cwd: appDir, env: {}, attempts },
    noValidation: {
      label: 'no-validation',
      command: ours,
      cwd: target.cwd,
      env: { CDK_VALIDATION: 'false' },
      attempts,
    },
  };
}

/** Every `*.template.json` under a cloud assembly, by relative path, with its content's hash. */
export function templatesOf(outdir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.template.json')) {
        found.set(path.relative(outdir, p), createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
      }
    }
  };
  walk(outdir);
  return found;
}

/** Differences between two sets of templates: missing, extra, different content. */
export function compareTemplates(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, hash] of a) {
    if (!b.has(file)) problems.push(`only in the first: ${file}`);
    else if (b.get(file) !== hash) problems.push(`content differs: ${file}`);
  }
  for (const file of b.keys()) if (!a.has(file)) problems.push(`only in the second: ${file}`);
  return problems;
}

/** One synth into its own temporary outdir (CDK_OUTDIR); `config` adds `--context config=<file>`. */
export async function synthOnce(
  ctx: RunContext,
  variant: SynthVariant,
  env: NodeJS.ProcessEnv,
  config?: string,
): Promise<SynthRun> {
  const command: Command = config ? withArgs(variant.command, ['--context', `config=${config}`]) : variant.command;
  for (let attempt = 1; ; attempt++) {
    const outdir = path.join(ctx.tmpRoot, 'out', `${variant.label}-${nextId()}`);
    const r = await measure(command, {
      ...ctx,
      cwd: variant.cwd,
      env: { ...env, ...variant.env, CDK_OUTDIR: outdir },
    });
    if (r.code === 0) {
      const templates = templatesOf(outdir);
      fs.rmSync(outdir, { recursive: true, force: true });
      return { wall: r.wall, peak: r.peak, treePeak: r.treePeak, templates };
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    if (attempt >= variant.attempts) fail(`synth (${variant.label}: ${command.text})`, r);
    log(`  ${variant.label}: exit ${r.code}; retrying once. Last lines:\n${tail(r.stderr, 8)}`);
  }
}

export interface SynthSummary extends Summary {
  readonly templates: number;
  readonly command: string;
}

export interface FullSynth {
  readonly ours: SynthSummary;
  readonly stock: SynthSummary;
  readonly noValidation: SynthSummary;
  /** The same synth at the --baseline commit, in its own clone. */
  readonly baseline?: SynthSummary & { readonly head: string };
  /** Templates of the default config (identical across ours, stock and no-validation). */
  readonly templates: number;
}

const summaryOf = (runs: SynthRun[], command: string): SynthSummary => ({
  ...summarize(runs),
  templates: runs[0].templates.size,
  command,
});

/**
 * Runs every variant `runs` times, interleaved, after one warm-up run per workspace (not counted),
 * and checks that ours, stock and no-validation wrote the same templates byte for byte, since a
 * faster synth of different templates would be a dishonest comparison.
 */
export async function fullSynth(
  ctx: RunContext,
  runs: number,
  env: NodeJS.ProcessEnv,
  variants: ReturnType<typeof synthVariants>,
  baseline?: { variant: SynthVariant; env: NodeJS.ProcessEnv; head: string },
): Promise<FullSynth> {
  const all: Array<[string, SynthVariant, NodeJS.ProcessEnv]> = [
    ['ours', variants.ours, env],
    ['stock', variants.stock, env],
    ['noValidation', variants.noValidation, env],
  ];
  if (baseline) all.push(['baseline', baseline.variant, baseline.env]);
  log(`full synth: ${runs} runs each of ${all.map(([name]) => name).join(', ')} (interleaved)`);
  log('  warm-up run (not counted)');
  await synthOnce(ctx, variants.ours, env);
  if (baseline) await synthOnce(ctx, baseline.variant, baseline.env);

  const results = new Map<string, SynthRun[]>(all.map(([name]) => [name, []]));
  for (let i = 1; i <= runs; i++) {
    for (const [name, variant, variantEnv] of all) {
      const r = await synthOnce(ctx, variant, variantEnv);
      results.get(name)!.push(r);
      log(`  ${name.padEnd(12)} ${i}/${runs}: ${sec(r.wall)}, peak ${mib(r.peak)} (tree ${mib(r.treePeak)})`);
    }
  }

  const reference = results.get('ours')![0].templates;
  const problems: string[] = [];
  for (const name of ['ours', 'stock', 'noValidation']) {
    results
      .get(name)!
      .forEach((r, i) =>
        problems.push(...compareTemplates(reference, r.templates).map((p) => `${name} #${i + 1} ${p}`)),
      );
  }
  if (problems.length > 0) {
    throw new Error(
      'the variants did not synthesize the same templates, so the comparison would be dishonest:\n  ' +
        problems.slice(0, 20).join('\n  '),
    );
  }
  log(`  sanity: ${reference.size} templates, identical across all ${runs * 3} runs of ours, stock and no-validation`);
  return {
    ours: summaryOf(results.get('ours')!, variants.ours.command.text),
    stock: summaryOf(results.get('stock')!, variants.stock.command.text),
    noValidation: summaryOf(results.get('noValidation')!, `CDK_VALIDATION=false ${variants.ours.command.text}`),
    baseline: baseline
      ? { ...summaryOf(results.get('baseline')!, baseline.variant.command.text), head: baseline.head }
      : undefined,
    templates: reference.size,
  };
}
