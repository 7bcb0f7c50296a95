/**
 * The environment config: one YAML file drives every stage, region and stack.
 *
 * This zod schema is the single source of the config's TypeScript types, of the JSON Schema the
 * YAML file references (generated: `nx run platform:config-schema`), and of field-level
 * validation. Checks that relate fields to each other live in `validate.ts`.
 */
import { z } from 'zod';
import {
  CLOUDWATCH_LOGS_RETENTION_DAYS,
  MYSQL_ALLOCATED_STORAGE,
  MYSQL_BACKUP_RETENTION_DAYS,
  MYSQL_BACKUP_WINDOW,
  MYSQL_DEFAULT_MAJOR_VERSION,
  MYSQL_MAINTENANCE_WINDOW,
  MYSQL_MAJOR_VERSION,
  MYSQL_MAJOR_VERSIONS,
  MYSQL_MASTER_USERNAME,
  MYSQL_MAX_ALLOCATED_STORAGE,
  MYSQL_PORT,
  MYSQL_USER_NAME,
  MYSQL_WINDOWS_APART,
} from '@baseline/rules';
import { KNOWN_REGIONS } from './regions';

const NAME = /^[a-z][a-z0-9-]{0,14}[a-z0-9]$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
// AWS tag rules: letters, digits, spaces and _ . : / = + - @; keys may not start with "aws:".
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const CONNECTION_ARN =
  /^arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z]{2}(-[a-z]+)+-\d:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const name = (what: string) =>
  z
    .string()
    .regex(NAME, `must be 2-16 characters of a-z, 0-9 and '-', starting with a letter (it becomes part of ${what})`);

const accountId = z
  .string({ error: 'must be a 12-digit AWS account id in quotes (YAML reads an unquoted number as a number)' })
  .regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const region = z.enum(KNOWN_REGIONS, { error: `must be one of the known AWS regions (${KNOWN_REGIONS.join(', ')})` });

const email = z.string().regex(EMAIL, 'must be an e-mail address (name@example.com)');

const tagValue = z
  .string()
  .max(256, 'must be at most 256 characters (AWS tag value limit)')
  .regex(TAG_CHARS, 'may contain only letters, digits, spaces and _ . : / = + - @ (AWS tag rules)');

const tagKey = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters (AWS tag key limit)')
  .regex(TAG_CHARS, 'may contain only letters, digits, spaces and _ . : / = + - @ (AWS tag rules)')
  .refine((k) => !k.toLowerCase().startsWith('aws:'), "must not start with 'aws:' (reserved by AWS)");

const percent = (description: string, dflt: number) =>
  z
    .number()
    .gt(0, 'must be above 0')
    .max(100, 'must be at most 100 (a percentage)')
    .default(dflt)
    .describe(description);

const positive = (description: string, dflt: number) =>
  z.number().gt(0, 'must be above 0').default(dflt).describe(description);

export const regionSchema = z
  .strictObject({
    region: region.describe('AWS region name, e.g. eu-west-1'),
    // The range's rules (an RFC 1918 network, at most a /16, large enough for the zones) are the
    // network construct's, checked through construct-rules.ts.
    vpcCidr: z.string().describe('The VPC range; must not overlap any other VPC in this file'),
    availabilityZones: z
      .array(z.string())
      .min(2, 'must list at least 2 availability zones')
      .describe(
        'Availability zone names of this region (no lookups at synth); 3 for protected stages. Fixed once deployed: subnets are built per zone and imported by the Data stack, so a change replaces them under the database',
      ),
    recoveryRegion: region
      .optional()
      .describe(
        "The region that keeps copies of this region's data (bucket replicas, database backup copies); another region than this one; required in a protected stage, optional otherwise",
      ),
  })
  .describe('One region of a stage');

/**
 * What a stage's database gets when its config does not say; the zod schema applies them, and the
 * loader's construct-rule checks (construct-rules.ts) read them for omitted fields.
 */
export const DATABASE_DEFAULTS = {
  instanceType: 't4g.medium',
  engineVersion: MYSQL_DEFAULT_MAJOR_VERSION,
  allocatedStorageGiB: 20,
  multiAz: true,
  backupRetentionDays: 30,
  backupWindow: '03:00-04:00',
  maintenanceWindow: 'sun:04:30-sun:05:30',
  deletionProtection: true,
  port: 3307,
  masterUsername: 'dbadmin',
  applicationUser: 'app',
} as const;

// Fields governed by a rule of @baseline/rules are typed here and checked by that rule (the one the
// construct enforces), through construct-rules.ts, so the loader and the construct cannot disagree.
export const databaseSchema = z
  .strictObject({
    instanceType: z
      .string()
      .regex(
        /^[a-z][a-z0-9]*\.[a-z0-9]+$/,
        "must be an instance class and size without the 'db.' prefix, e.g. t4g.medium",
      )
      .default(DATABASE_DEFAULTS.instanceType)
      .describe("RDS instance class and size without the 'db.' prefix"),
    engineVersion: z
      .string()
      .default(DATABASE_DEFAULTS.engineVersion)
      .describe(
        `MySQL major version (RDS applies and upgrades the minor): ${MYSQL_MAJOR_VERSION.summary}; ` +
          `known: ${Object.entries(MYSQL_MAJOR_VERSIONS)
            .map(([major, v]) => `${major} (standard support until ${v.endOfStandardSupport})`)
            .join(', ')}`,
      ),
    allocatedStorageGiB: z
      .number()
      .default(DATABASE_DEFAULTS.allocatedStorageGiB)
      .describe(
        `Initial storage in GiB, autoscaling to twice this: ${MYSQL_ALLOCATED_STORAGE.summary}; ${MYSQL_MAX_ALLOCATED_STORAGE.summary}`,
      ),
    multiAz: z
      .boolean()
      .default(DATABASE_DEFAULTS.multiAz)
      .describe('Standby in a second zone; protected stages must keep it on'),
    backupRetentionDays: z
      .number()
      .default(DATABASE_DEFAULTS.backupRetentionDays)
      .describe(`Automated backup retention: ${MYSQL_BACKUP_RETENTION_DAYS.summary}; protected stages need 30 or more`),
    backupWindow: z
      .string()
      .default(DATABASE_DEFAULTS.backupWindow)
      .describe(`Automated backups: ${MYSQL_BACKUP_WINDOW.summary}`),
    maintenanceWindow: z
      .string()
      .default(DATABASE_DEFAULTS.maintenanceWindow)
      .describe(`Maintenance: ${MYSQL_MAINTENANCE_WINDOW.summary}; ${MYSQL_WINDOWS_APART.summary}`),
    deletionProtection: z
      .boolean()
      .default(DATABASE_DEFAULTS.deletionProtection)
      .describe('Refuse DeleteDBInstance; protected stages must keep it on'),
    port: z.number().default(DATABASE_DEFAULTS.port).describe(`MySQL port: ${MYSQL_PORT.summary}`),
    masterUsername: z
      .string()
      .default(DATABASE_DEFAULTS.masterUsername)
      .describe(`The master user (RDS keeps its password in Secrets Manager): ${MYSQL_MASTER_USERNAME.summary}`),
    applicationUser: z
      .string()
      .default(DATABASE_DEFAULTS.applicationUser)
      .describe(
        `The database user the application role connects as, with IAM authentication (docs/access.md says how to create it): ${MYSQL_USER_NAME.summary}`,
      ),
  })
  .describe('Database sizing and protection');

/** What a stage's alarms get when its config does not say (the construct-rule checks read them too). */
export const ALARM_DEFAULTS = {
  cpuUtilizationPercent: 80,
  freeStoragePercent: 10,
  freeableMemoryMiB: 256,
  maxConnections: 100,
  readLatencyMs: 20,
  writeLatencyMs: 20,
  rejectedFlowsPer5Minutes: 500,
} as const;

/** What a stage's network and logs get when its config does not say. */
export const NETWORK_DEFAULTS = { natGateways: 1, interfaceEndpoints: false } as const;
export const RECOVERY_DEFAULTS = { backupRetentionDays: 35 } as const;
export const LOGS_DEFAULTS = { retentionDays: 14 } as const;

// Thresholds keep their field-level bounds here (they document the field); the construct's own rule
// (ALARM_* of @baseline/rules) is checked too, through construct-rules.ts, where it is stricter.
export const alarmsSchema = z
  .strictObject({
    emails: z
      .array(email)
      .min(1, 'must list at least one address (alarms nobody receives are noise)')
      .describe('Who receives alarm e-mails'),
    cpuUtilizationPercent: percent(
      'RDS CPU above this for two 5-minute periods raises an alarm',
      ALARM_DEFAULTS.cpuUtilizationPercent,
    ),
    freeStoragePercent: percent(
      'Alarm when free storage falls below this share of allocated storage',
      ALARM_DEFAULTS.freeStoragePercent,
    ),
    freeableMemoryMiB: positive(
      'Alarm when freeable memory falls below this many MiB',
      ALARM_DEFAULTS.freeableMemoryMiB,
    ),
    maxConnections: positive('Alarm when database connections exceed this', ALARM_DEFAULTS.maxConnections),
    readLatencyMs: positive(
      'Alarm when average read latency exceeds this many milliseconds',
      ALARM_DEFAULTS.readLatencyMs,
    ),
    writeLatencyMs: positive(
      'Alarm when average write latency exceeds this many milliseconds',
      ALARM_DEFAULTS.writeLatencyMs,
    ),
    rejectedFlowsPer5Minutes: positive(
      'Alarm when the VPC flow log records more REJECTs than this in 5 minutes',
      ALARM_DEFAULTS.rejectedFlowsPer5Minutes,
    ),
  })
  .describe('Alarm thresholds and recipients');

export const stageSchema = z
  .strictObject({
    name: name('stack names').describe('Stage name, e.g. dev or prod'),
    account: accountId.describe('The AWS account this stage deploys to'),
    requiresApproval: z
      .boolean()
      .default(false)
      .describe('Wait for a manual approval in the pipeline before deploying this stage'),
    protected: z
      .boolean()
      .default(false)
      .describe('Production-grade: Multi-AZ, deletion protection and 30-day backups are enforced, 3 zones per region'),
    applicationPrincipal: z
      .string()
      .regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'must be an AWS service principal, e.g. ecs-tasks.amazonaws.com')
      .default('ecs-tasks.amazonaws.com')
      .describe('The AWS service that runs the application and may assume its role (read/write the data bucket)'),
    regions: z
      .array(regionSchema)
      .min(1, 'must list at least one region')
      .describe('Regions this stage deploys to, in parallel'),
    network: z
      .strictObject({
        natGateways: z
          .number()
          .int()
          .min(1)
          .default(NETWORK_DEFAULTS.natGateways)
          .describe('NAT gateways per region (one per zone for zone-independent egress)'),
        interfaceEndpoints: z
          .boolean()
          .default(NETWORK_DEFAULTS.interfaceEndpoints)
          .describe('Create interface VPC endpoints (Secrets Manager, Logs, STS); they cost per hour per zone'),
      })
      .prefault({})
      .describe('VPC settings'),
    database: databaseSchema.prefault({}),
    logs: z
      .strictObject({
        retentionDays: z
          .union(
            CLOUDWATCH_LOGS_RETENTION_DAYS.map((days) => z.literal(days)) as unknown as [
              z.ZodLiteral<number>,
              ...z.ZodLiteral<number>[],
            ],
            {
              error: `must be a CloudWatch Logs retention: ${CLOUDWATCH_LOGS_RETENTION_DAYS.slice(0, -1).join(', ')} or ${CLOUDWATCH_LOGS_RETENTION_DAYS.at(-1)}`,
            },
          )
          .default(LOGS_DEFAULTS.retentionDays)
          .describe('Retention of the flow log and database log groups, in days'),
      })
      .prefault({})
      .describe('Log retention'),
    alarms: alarmsSchema,
    recovery: z
      .strictObject({
        backupRetentionDays: z
          .number()
          .int('must be a whole number of days')
          .min(1, 'must be at least 1')
          .max(36500, 'must be at most 36500 (100 years)')
          .default(RECOVERY_DEFAULTS.backupRetentionDays)
          .describe(
            "Days AWS Backup keeps the database's daily backups, in the stage-region's vault and their copies in the recovery region; the vaults of a protected stage are locked to at least this",
          ),
      })
      .prefault({})
      .describe('Backups and copies in the recovery region'),
  })
  .describe('A deployment stage (an account) and its regions');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path of the JSON Schema, for editors'),
    project: z
      .strictObject({
        name: name('stack, alias and log group names').describe('Short project name'),
        owner: tagValue.min(1, 'must not be empty').describe('Team that owns the deployment (tag Owner)'),
        costCentre: tagValue.min(1, 'must not be empty').describe('Cost centre (tag CostCentre)'),
        tags: z.record(tagKey, tagValue).default({}).describe('Extra tags on every taggable resource'),
      })
      .describe('Project identity and tags'),
    pipeline: z
      .strictObject({
        account: accountId.describe('Tooling account that runs the pipeline'),
        region: region.describe('Home region of the pipeline'),
        repository: z
          .strictObject({
            owner: z
              .string()
              .min(1)
              .regex(/^[A-Za-z0-9_.-]+$/, 'must be a repository owner or organisation name')
              .describe('Repository owner'),
            name: z
              .string()
              .min(1)
              .regex(/^[A-Za-z0-9_.-]+$/, 'must be a repository name')
              .describe('Repository name'),
            branch: z
              .string()
              .min(1)
              .regex(/^[A-Za-z0-9._/-]+$/, 'must be a branch name')
              .default('main')
              .describe('Branch whose pushes start the pipeline'),
          })
          .describe('Source repository'),
        connectionArn: z
          .string()
          .regex(
            CONNECTION_ARN,
            'must be a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<uuid>',
          )
          .describe('CodeConnections (GitHub, GitLab, Bitbucket) connection, created once in the console'),
        notificationEmails: z
          .array(email)
          .min(1, 'must list at least one address')
          .describe('Who is told of pipeline failures and pending approvals'),
      })
      .describe('The delivery pipeline'),
    stages: z.array(stageSchema).min(1, 'must list at least one stage').describe('Stages in promotion order'),
  })
  .describe('aws-secure-baseline environment config');

/** The config as the app uses it, defaults applied. */
export type PlatformConfig = z.output<typeof configSchema>;
export type StageConfig = PlatformConfig['stages'][number];
export type RegionConfig = StageConfig['regions'][number];
