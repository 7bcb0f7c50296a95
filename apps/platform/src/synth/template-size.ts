import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The largest template CodePipeline's CloudFormation deploy action takes: "The AWS CloudFormation
 * template file containing the template body has a minimum length of 1 byte and a maximum length of
 * 1 MB" (CodePipeline User Guide, "AWS CloudFormation deploy action reference", TemplatePath; the
 * CodePipeline quotas page has no row for it). Counted as 1,000,000 bytes, the smaller reading of
 * "1 MB". CloudFormation's own 51,200 bytes applies to a template body sent inline in a request, not
 * to a template the action reads from its input artifact. CDK Pipelines users have nevertheless
 * reported "Template format error: YAML not well-formed" from the deploy action for JSON templates of
 * about 78 KB (aws/aws-cdk#12372, closed): the README's troubleshooting says what to do.
 */
export const CODEPIPELINE_TEMPLATE_LIMIT_BYTES = 1_000_000;

/** The synth fails above this share of the limit, to leave room before a deploy fails. */
export const TEMPLATE_SIZE_GATE_SHARE = 0.8;

/** One template of the assembly and its size on disk, as the deploy action reads it. */
export interface TemplateSize {
  readonly stack: string;
  readonly file: string;
  readonly bytes: number;
}

/**
 * Every template the synthesis wrote into `outdir` (its nested Stage assemblies included), largest
 * first. Read from the files, so that it also works when a validation plugin failed the synth and the
 * assembly manifest was not completed: the size gate still runs.
 */
export function templateSizes(outdir: string): TemplateSize[] {
  const sizes: TemplateSize[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.name.endsWith('.template.json')) {
        sizes.push({ stack: stackOf(dir, entry.name), file, bytes: fs.statSync(file).size });
      }
    }
  };
  walk(outdir);
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

/** The construct path of the stack whose template `file` is, from its assembly's manifest when there is one. */
function stackOf(dir: string, file: string): string {
  const manifest = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifest)) {
    const artifacts =
      (
        JSON.parse(fs.readFileSync(manifest, 'utf-8')) as {
          artifacts?: Record<string, { properties?: { templateFile?: string }; displayName?: string }>;
        }
      ).artifacts ?? {};
    const artifact = Object.values(artifacts).find((a) => a.properties?.templateFile === file);
    if (artifact?.displayName) {
      return artifact.displayName;
    }
  }
  return path.join(path.basename(dir), file);
}

/** One line per template above the gate, naming it, its size, the gate and the limit. */
export function templateSizeProblems(sizes: TemplateSize[], limit = CODEPIPELINE_TEMPLATE_LIMIT_BYTES): string[] {
  const gate = Math.floor(limit * TEMPLATE_SIZE_GATE_SHARE);
  return sizes
    .filter((t) => t.bytes > gate)
    .map(
      (t) =>
        `template of ${t.stack} is ${t.bytes} bytes, above ${gate} (${TEMPLATE_SIZE_GATE_SHARE * 100}% of the ${limit}-byte ` +
        `template limit of CodePipeline's CloudFormation deploy action): split the stack, or move resources to another stack`,
    );
}
