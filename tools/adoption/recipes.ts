/**
 * Applies the README's config recipes to the deploy config, as a user would by hand: add a region to
 * dev, add a stage between dev and prod, change a threshold. CI runs it in its throwaway clone after
 * replacing the example accounts (`npm run configure -- ...`), then runs the one command the README
 * gives (`npm run configure`) and `npm test`, which must stay green; `--only <n>` applies the n-th recipe
 * alone (CI tries each one by itself).
 *
 *   node -r ./tools/source/register.cjs tools/adoption/recipes.ts --in-place [--config <file>] [--only <n>]
 *
 * It edits the file in place (comments kept), so it refuses to run without --in-place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');

/** The recipes, in README order; each edits the parsed document. */
export const RECIPES: ReadonlyArray<{
  readonly name: string;
  readonly apply: (doc: ReturnType<typeof parseDocument>) => void;
}> = [
  {
    name: 'Add a region (us-east-1 to dev)',
    apply: (doc) => {
      const regions = stageOf(doc, 'dev').get('regions') as YAMLSeq;
      regions.add(
        doc.createNode({
          region: 'us-east-1',
          vpcCidr: '10.12.0.0/16',
          availabilityZones: ['us-east-1a', 'us-east-1b'],
        }),
      );
    },
  },
  {
    name: 'Add a stage (staging between dev and prod, protected, with a recovery region)',
    apply: (doc) => {
      const stages = doc.get('stages') as YAMLSeq;
      const dev = stageOf(doc, 'dev').toJSON() as Record<string, unknown>;
      const staging = {
        ...dev,
        name: 'staging',
        account: '456789012345',
        requiresApproval: true,
        protected: true,
        regions: [
          {
            region: 'eu-west-1',
            vpcCidr: '10.40.0.0/16',
            availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
            recoveryRegion: 'eu-central-1',
          },
        ],
        database: { ...(dev.database as object), multiAz: true, deletionProtection: true, backupRetentionDays: 30 },
        logs: { retentionDays: 365 },
        alarms: { emails: ['staging-alerts@example.com'] },
      };
      const index = stages.items.findIndex((s) => isMap(s) && s.get('name') === 'prod');
      stages.items.splice(index, 0, doc.createNode(staging) as YAMLMap);
    },
  },
  {
    name: 'Change a threshold (prod cpuUtilizationPercent 70)',
    apply: (doc) => {
      const alarms = stageOf(doc, 'prod').get('alarms') as YAMLMap;
      alarms.set('cpuUtilizationPercent', 70);
    },
  },
];

function stageOf(doc: ReturnType<typeof parseDocument>, name: string): YAMLMap {
  const stages = doc.get('stages');
  const stage = isSeq(stages) ? stages.items.find((s) => isMap(s) && s.get('name') === name) : undefined;
  if (!isMap(stage)) {
    throw new Error(`the config has no stage '${name}' (the recipes assume the shipped dev and prod)`);
  }
  return stage;
}

/**
 * The config text with the recipes applied: all of them, or only the `only`-th (1-based, README order).
 * Throws, naming the value and what is allowed, for an `only` that names no recipe.
 */
export function applyRecipes(text: string, only?: number, log: (line: string) => void = () => {}): string {
  if (only !== undefined && !(Number.isInteger(only) && only >= 1 && only <= RECIPES.length)) {
    throw new Error(`--only ${only}: no such recipe; allowed: 1 to ${RECIPES.length}`);
  }
  const doc = parseDocument(text);
  for (const [i, recipe] of RECIPES.entries()) {
    if (only === undefined || only === i + 1) {
      recipe.apply(doc);
      log(`applied: ${recipe.name}`);
    }
  }
  return doc.toString();
}

function main(argv: string[]): number {
  if (!argv.includes('--in-place')) {
    console.error('recipes: edits the config in place; pass --in-place (CI runs it in a throwaway clone)');
    return 2;
  }
  const at = argv.indexOf('--config');
  const file = path.resolve(at >= 0 ? argv[at + 1] : path.join(ROOT, 'apps/platform/config/platform.yaml'));
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? Number(argv[onlyAt + 1]) : undefined;
  try {
    fs.writeFileSync(
      file,
      applyRecipes(fs.readFileSync(file, 'utf-8'), only, (line) => console.error(line)),
    );
  } catch (error) {
    console.error(`recipes: ${(error as Error).message}`);
    return 2;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
