import { loadConfig, recoveryVaultNameOf, restoreRoleNameOf } from '../../src/config';
import { renderRecoveryReport } from '../../src/docs/recovery-report';
import { FIXTURE_CONFIG } from '../support/configs';

const config = loadConfig(FIXTURE_CONFIG);
const report = renderRecoveryReport(config);
const rowOf = (id: string) => report.split('\n').find((l) => l.startsWith(`| ${id} |`));

test('one row per stage-region, with its recovery region or none', () => {
  for (const stage of config.stages) {
    for (const region of stage.regions) {
      expect(rowOf(`${stage.name}-${region.region}`)).toMatch(
        new RegExp(`^\\| ${stage.name}-${region.region} \\| ${region.recoveryRegion ?? 'none'} `),
      );
    }
  }
});

test('the database RPO is minutes only where automated backups are replicated (protected stages with a recovery region)', () => {
  for (const stage of config.stages) {
    for (const region of stage.regions) {
      const row = rowOf(`${stage.name}-${region.region}`)!;
      expect({ row: `${stage.name}-${region.region}`, minutes: row.includes('RPO about 5 minutes') }).toEqual({
        row: `${stage.name}-${region.region}`,
        minutes: stage.protected && region.recoveryRegion !== undefined,
      });
      expect(row.includes(`kept ${stage.recovery.backupRetentionDays} days`)).toBe(region.recoveryRegion !== undefined);
    }
  }
});

test('the runbook uses the names this config gives', () => {
  const stage = config.stages.find((s) => s.regions.some((r) => r.recoveryRegion))!;
  const region = stage.regions.find((r) => r.recoveryRegion)!;
  expect(report).toContain(
    `--backup-vault-name ${recoveryVaultNameOf(config.project.name, stage.name, region.region)}`,
  );
  expect(report).toContain(`role/${restoreRoleNameOf(config.project.name, stage.name, region.region)}`);
  expect(report).toContain(`--region ${region.recoveryRegion}`);
});
