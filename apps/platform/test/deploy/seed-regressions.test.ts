/**
 * Seed regressions: the ten ways an earlier attempt at this infrastructure went wrong
 * (shared seed file 000_6b706a50d71cadd5.txt, "Model Failures Analysis"), one `describe` per item,
 * named after the item's number and title, with one test per stage-region of the deploy config.
 * Each test goes red if its failure comes back.
 *
 * They read the assembly that test/deploy/global-setup.ts synthesizes once from the config being
 * deployed (PLATFORM_CONFIG, default config/platform.yaml); nothing is synthesized here, and every
 * expectation comes from that config.
 * Cross-stack values are `Fn::ImportValue`s of the producer's exports, and the tests follow them to
 * the resource they name (template-helpers.ts `resolveReference`), so a value that merely looks
 * right but points at another stage-region's resource (or nowhere) fails too.
 *
 * One deliberate difference from the seed's "correct" forms: item 2's corrected policy puts the
 * `s3:x-amz-server-side-encryption` condition on s3:GetObject too, which would deny every read (a
 * GET carries no SSE header). Reads must be allowed WITHOUT that condition, writes only WITH it.
 */
import { isDeepStrictEqual } from 'node:util';
import { PlatformVpc } from '@baseline/network';
import {
  deployAssembly,
  resourcesOfType,
  stacksOfStageRegion,
  StackView,
  StageRegionView,
  TIERS,
} from '../support/assembly';
import {
  actionPatternMatches,
  asArray,
  bucketPolicyStatements,
  cidrContains,
  conditionEntries,
  describeReference,
  describeStatement,
  everyStack,
  findCycle,
  findExport,
  findProperty,
  identityPolicyStatements,
  importedNames,
  isEveryonePrincipal,
  LocatedStatement,
  parseCidr,
  resolveReference,
  resolveString,
  show,
  StackLike,
  statementCoversAction,
  statementsOfRole,
  TemplateResource,
} from '../support/template-helpers';

const a = deployAssembly();
const STACKS = everyStack(a);
const STAGE_REGIONS = a.stageRegions.map((sr) => [sr.id, sr] as const);

/** The stacks of a stage-region in deployment order (its Recovery stack, if any, first). */
function stacksOf(sr: StageRegionView): StackView[] {
  return stacksOfStageRegion(sr);
}

/** The one resource of `type` in `stack`; fails naming the stack and what it found otherwise. */
function theOne(stack: StackView, type: string): [string, TemplateResource] {
  const found = resourcesOfType(stack.template, type);
  expect({ stack: stack.path, type, logicalIds: found.map(([id]) => id) }).toEqual({
    stack: stack.path,
    type,
    logicalIds: [expect.any(String)],
  });
  return found[0];
}

/** `{ "Fn::GetAtt": [bucket, "Arn"] }` and `<that>/*`, as the CDK renders them. */
const bucketArn = (bucketId: string) => ({ 'Fn::GetAtt': [bucketId, 'Arn'] });
const objectsArn = (bucketId: string) => ({ 'Fn::Join': ['', [bucketArn(bucketId), '/*']] });

/** Whether a statement's `Resource` names `arn` (or everything). */
function namesResource(statement: LocatedStatement['statement'], arn: unknown): boolean {
  return asArray(statement.Resource as unknown[]).some((r) => r === '*' || isDeepStrictEqual(r, arn));
}

/** The KMS-encrypted buckets of a stack: the data buckets (access-log buckets are SSE-S3 by necessity). */
function kmsEncryptedBuckets(stack: StackView): string[] {
  return resourcesOfType(stack.template, 'AWS::S3::Bucket')
    .filter(([, r]) => findProperty(r.Properties?.BucketEncryption, 'SSEAlgorithm').some((f) => f.value === 'aws:kms'))
    .map(([id]) => id);
}

/** The subnets of the Network stack in the CDK subnet group `group`, as [logicalId, CidrBlock]. */
function subnetsOfGroup(network: StackView, group: string): Array<[string, unknown]> {
  return resourcesOfType(network.template, 'AWS::EC2::Subnet')
    .filter(([, r]) =>
      asArray(r.Properties?.Tags as Array<{ Key: string; Value: string }>).some(
        (t) => t.Key === 'aws-cdk:subnet-name' && t.Value === group,
      ),
    )
    .map(([id, r]) => [id, r.Properties?.CidrBlock]);
}

/** One ingress rule of a security group, inline or an `AWS::EC2::SecurityGroupIngress`. */
interface IngressRule {
  readonly stack: StackView;
  readonly where: string;
  /** The logical id of the group it opens. */
  readonly groupId: string | undefined;
  readonly rule: Record<string, unknown>;
}

function ingressRules(stack: StackView): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const [id, r] of Object.entries(stack.template.Resources)) {
    if (r.Type === 'AWS::EC2::SecurityGroup') {
      asArray(r.Properties?.SecurityGroupIngress as Array<Record<string, unknown>>).forEach((rule, i) =>
        rules.push({ stack, where: `${stack.path} ${id} SecurityGroupIngress[${i}]`, groupId: id, rule }),
      );
    }
    if (r.Type === 'AWS::EC2::SecurityGroupIngress') {
      const group = resolveReference(STACKS, stack, r.Properties?.GroupId);
      rules.push({ stack, where: `${stack.path} ${id}`, groupId: group?.logicalId, rule: r.Properties ?? {} });
    }
  }
  return rules;
}

describe('seed 1: Security Issue - Hardcoded Database Password', () => {
  test.each(STAGE_REGIONS)('%s: no MasterUserPassword anywhere; RDS manages the master password', (_id, sr) => {
    // GIVEN every resource of the four stacks of the stage-region
    // WHEN their properties are searched, at any depth, for a master password
    const passwords = stacksOf(sr).flatMap((s) =>
      Object.entries(s.template.Resources).flatMap(([id, r]) =>
        findProperty(r.Properties, 'MasterUserPassword').map(
          (f) => `${s.path} ${id} (${r.Type}) sets ${f.path.replace(/^\$/, 'Properties')} = ${show(f.value)}`,
        ),
      ),
    );
    // THEN there is none: no password (nor a reference to one) passes through a template
    expect(passwords).toEqual([]);
    // AND the stage's database has RDS generate, store and rotate it
    const [dbId, db] = theOne(sr.stacks.data, 'AWS::RDS::DBInstance');
    expect({
      stack: sr.stacks.data.path,
      dbInstance: dbId,
      ManageMasterUserPassword: db.Properties?.ManageMasterUserPassword,
    }).toEqual({ stack: sr.stacks.data.path, dbInstance: dbId, ManageMasterUserPassword: true });
  });
});

describe('seed 2: IAM Security Issue - Overly Permissive S3 Policy', () => {
  const DELETE_ACTIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion'];
  const SSE_HEADER = 's3:x-amz-server-side-encryption';

  test.each(STAGE_REGIONS)(
    '%s: no policy allows s3:DeleteObject; the application role reads without an SSE condition and writes only SSE-KMS',
    (_id, sr) => {
      // GIVEN every Allow statement of every IAM policy (managed, inline, role inline) and bucket policy
      const allows = stacksOf(sr)
        .flatMap((s) => [...identityPolicyStatements(s), ...bucketPolicyStatements(s)])
        .filter((s) => s.statement.Effect === 'Allow');
      expect(allows.length).toBeGreaterThan(0);
      // WHEN each is matched against the delete actions, through wildcards (s3:*, s3:Delete*) and NotAction
      const deleting = allows.flatMap((s) =>
        DELETE_ACTIONS.filter((action) => statementCoversAction(s.statement, action)).map(
          (action) =>
            `${describeStatement(s)} allows ${action} (Action ${show(s.statement.Action)}, NotAction ${show(s.statement.NotAction)})`,
        ),
      );
      // THEN none allows deleting an object or a version
      expect(deleting).toEqual([]);

      // GIVEN the application role (trusting the configured application principal) and the data bucket
      const data = sr.stacks.data;
      const roles = resourcesOfType(data.template, 'AWS::IAM::Role').filter(([, r]) =>
        findProperty(r.Properties?.AssumeRolePolicyDocument, 'Service').some((f) =>
          asArray<unknown>(f.value).includes(sr.stage.applicationPrincipal),
        ),
      );
      expect({ stack: data.path, applicationRoles: roles.map(([id]) => id) }).toEqual({
        stack: data.path,
        applicationRoles: [expect.any(String)],
      });
      const [roleId] = roles[0];
      const [bucketId] = kmsEncryptedBuckets(data);
      const onObjects = statementsOfRole(data, roleId).filter(
        (s) => s.statement.Effect === 'Allow' && namesResource(s.statement, objectsArn(bucketId)),
      );
      // WHEN its statements on the bucket's objects are split into reads and writes
      const reads = onObjects.filter((s) => statementCoversAction(s.statement, 's3:GetObject'));
      const writes = onObjects.filter((s) => statementCoversAction(s.statement, 's3:PutObject'));
      // THEN it may read, and no read statement carries an SSE condition (a GET sends no SSE header:
      // such a condition would deny every read)
      expect({ role: `${data.path} ${roleId}`, readsOf: bucketId, statements: reads.length }).toEqual({
        role: `${data.path} ${roleId}`,
        readsOf: bucketId,
        statements: expect.any(Number),
      });
      expect(reads.length).toBeGreaterThan(0);
      expect(
        reads.flatMap((s) =>
          conditionEntries(s.statement, SSE_HEADER).map(
            ([op, v]) => `${describeStatement(s)} allows s3:GetObject only with ${op} ${SSE_HEADER} = ${show(v)}`,
          ),
        ),
      ).toEqual([]);
      // AND it may write, and every write statement refuses any encryption but SSE-KMS. The seed's
      // form (StringEquals, the header required) is deliberately not used: S3 authorizes each part of
      // a multipart upload as s3:PutObject and a part carries no SSE header, so it would refuse every
      // upload an SDK splits into parts. StringEqualsIfExists refuses a wrong header and lets a part
      // (or an upload relying on the bucket's SSE-KMS default, checked in seed 6) through.
      expect(writes.length).toBeGreaterThan(0);
      expect(
        writes
          .filter(
            (s) =>
              !conditionEntries(s.statement, SSE_HEADER).some(
                ([op, v]) => op === 'StringEqualsIfExists' && v === 'aws:kms',
              ) || conditionEntries(s.statement, SSE_HEADER).some(([op]) => op === 'StringEquals'),
          )
          .map((s) => `${describeStatement(s)} allows s3:PutObject with Condition ${show(s.statement.Condition)}`),
      ).toEqual([]);
    },
  );
});

describe('seed 3: Security Issue - Missing KMS Key Policy', () => {
  const LOGS_CONTEXT = 'kms:EncryptionContext:aws:logs:arn';
  const LOGS_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];

  /** What is wrong with the key `keyRef` encrypting a log group of `logStack`; empty when nothing. */
  function keyPolicyProblems(logStack: StackLike, where: string, keyValue: unknown): string[] {
    const key = resolveReference(STACKS, logStack, keyValue);
    if (!key || key.resource?.Type !== 'AWS::KMS::Key') {
      return [`${where}: KmsKeyId ${describeReference(key, keyValue)} is not a KMS key of the assembly`];
    }
    const keyName = `${key.stack.path} ${key.logicalId}`;
    if (key.stack.region !== logStack.region || key.stack.account !== logStack.account) {
      return [`${where}: key ${keyName} is in ${key.stack.account}/${key.stack.region}, not the log group's`];
    }
    const service = `logs.${logStack.region}.amazonaws.com`;
    const arnPrefix = `arn:aws:logs:${logStack.region}:${logStack.account}:log-group:`;
    const statements = asArray((key.resource.Properties?.KeyPolicy as { Statement?: unknown })?.Statement).map(
      (st) => st as LocatedStatement['statement'],
    );
    const forLogs = statements.filter(
      (st) =>
        st.Effect === 'Allow' &&
        findProperty(st.Principal, 'Service').some((f) =>
          asArray<unknown>(f.value).some((p) => (resolveString(key.stack, p) ?? '').startsWith('logs.')),
        ),
    );
    const problems: string[] = [];
    const regional = forLogs.filter((st) =>
      findProperty(st.Principal, 'Service').some((f) =>
        asArray<unknown>(f.value).some((p) => resolveString(key.stack, p) === service),
      ),
    );
    if (regional.length === 0) {
      problems.push(`${where}: key ${keyName} has no key-policy statement allowing ${service}`);
    }
    for (const st of forLogs) {
      const sid = `${keyName} statement ${st.Sid ?? show(st.Principal)}`;
      const contexts = conditionEntries(st, LOGS_CONTEXT);
      const values = contexts.flatMap(([, v]) => asArray<unknown>(v)).map((v) => resolveString(key.stack, v));
      if (contexts.length === 0 || values.some((v) => v === undefined || !v.startsWith(arnPrefix))) {
        problems.push(
          `${where}: ${sid} is not scoped by ${LOGS_CONTEXT} to ${arnPrefix}*; Condition ${show(st.Condition)}`,
        );
      }
      const missing = LOGS_ACTIONS.filter((action) => !statementCoversAction(st, action));
      if (missing.length > 0) {
        problems.push(`${where}: ${sid} does not allow ${missing.join(', ')} (Action ${show(st.Action)})`);
      }
    }
    return problems;
  }

  const ROWS: Array<readonly [string, StackLike[]]> = [
    ...a.stageRegions.map((sr) => [sr.id, stacksOf(sr)] as const),
    [a.pipeline.path, [a.pipeline]] as const,
  ];

  test.each(ROWS)(
    '%s: every log group is encrypted with a key that lets logs.<region> in, scoped by the logs ARN context',
    (id, stacks) => {
      // GIVEN every log group of the stage-region (or of the pipeline stack)
      const logGroups = stacks.flatMap((s) =>
        resourcesOfType(s.template, 'AWS::Logs::LogGroup').map(([lg, r]) => [s, `${s.path} ${lg}`, r] as const),
      );
      expect({ stacks: id, logGroups: logGroups.length }).toEqual({ stacks: id, logGroups: expect.any(Number) });
      expect(logGroups.length).toBeGreaterThan(0);
      // WHEN the key of each is followed (across stacks through exports) to its key policy
      const problems = logGroups.flatMap(([s, where, r]) =>
        r.Properties?.KmsKeyId === undefined
          ? [`${where}: no KmsKeyId (not encrypted with a customer managed key)`]
          : keyPolicyProblems(s, where, r.Properties.KmsKeyId),
      );
      // THEN each key allows the regional CloudWatch Logs principal, for log groups of this account and region only
      expect(problems).toEqual([]);
    },
  );
});

describe('seed 4: Security Issue - Overly Broad RDS Security Group', () => {
  test.each(STAGE_REGIONS)(
    '%s: no ingress from 10.0.0.0/8 or the VPC CIDR; the database admits exactly the application subnets',
    (_id, sr) => {
      // GIVEN the VPC and its application subnets
      const network = sr.stacks.network;
      const [vpcId, vpc] = theOne(network, 'AWS::EC2::VPC');
      const vpcCidrText = vpc.Properties?.CidrBlock;
      expect({ vpc: `${network.path} ${vpcId}`, CidrBlock: vpcCidrText }).toEqual({
        vpc: `${network.path} ${vpcId}`,
        CidrBlock: sr.region.vpcCidr,
      });
      const vpcCidr = parseCidr(vpcCidrText)!;
      const appSubnets = subnetsOfGroup(network, PlatformVpc.APPLICATION_SUBNET_GROUP);
      expect(appSubnets.length).toBe(sr.region.availabilityZones.length);
      const appCidrs = appSubnets.map(([, cidr]) => String(cidr)).sort();

      // WHEN every ingress rule of every security group of the stage-region is read
      const rules = stacksOf(sr).flatMap(ingressRules);
      // THEN none opens to a range containing the VPC (10.0.0.0/8, 0.0.0.0/0, the VPC CIDR itself) or IPv6,
      // and every CIDR source is one application subnet
      const broad = rules.flatMap(({ stack, where, rule }) => {
        if (rule.CidrIpv6 !== undefined) {
          return [`${where} admits IPv6 ${show(rule.CidrIpv6)}`];
        }
        if (rule.CidrIp === undefined) {
          return [];
        }
        const cidr = parseCidr(rule.CidrIp);
        if (!cidr) {
          const ref = resolveReference(STACKS, stack, rule.CidrIp);
          const what =
            ref?.resource?.Type === 'AWS::EC2::VPC'
              ? `the whole VPC CIDR (${describeReference(ref, rule.CidrIp)})`
              : `${show(rule.CidrIp)}, not a literal CIDR`;
          return [`${where} admits ${what}`];
        }
        if (cidrContains(cidr, vpcCidr)) {
          return [`${where} admits ${rule.CidrIp}, which contains the whole VPC ${vpcCidrText}`];
        }
        if (!appCidrs.includes(String(rule.CidrIp))) {
          return [`${where} admits ${rule.CidrIp}, which is not an application subnet (${appCidrs.join(', ')})`];
        }
        return [];
      });
      expect(broad).toEqual([]);

      // AND the database's security groups admit the database port from exactly the application subnets
      const data = sr.stacks.data;
      const [dbId, db] = theOne(data, 'AWS::RDS::DBInstance');
      const groups = asArray(db.Properties?.VPCSecurityGroups as unknown[]).map((g) =>
        resolveReference(STACKS, data, g),
      );
      expect({ dbInstance: `${data.path} ${dbId}`, securityGroups: groups.map((g) => g?.resource?.Type) }).toEqual({
        dbInstance: `${data.path} ${dbId}`,
        securityGroups: ['AWS::EC2::SecurityGroup'],
      });
      const groupIds = groups.map((g) => g?.logicalId);
      const dbIngress = rules
        .filter((r) => r.stack === data && groupIds.includes(r.groupId))
        .map(({ rule }) => ({
          source: rule.CidrIp ?? rule.SourceSecurityGroupId ?? rule.SourcePrefixListId ?? rule.CidrIpv6,
          protocol: rule.IpProtocol,
          ports: `${rule.FromPort}-${rule.ToPort}`,
        }))
        .sort((x, y) => show(x.source).localeCompare(show(y.source)));
      const port = sr.stage.database.port;
      expect({ dbInstance: `${data.path} ${dbId}`, ingress: dbIngress }).toEqual({
        dbInstance: `${data.path} ${dbId}`,
        ingress: appCidrs
          .map((cidr) => ({ source: cidr, protocol: 'tcp', ports: `${port}-${port}` }))
          .sort((x, y) => show(x.source).localeCompare(show(y.source))),
      });
    },
  );
});

describe('seed 5: Build Issue - Missing Resource Dependencies', () => {
  test.each(STAGE_REGIONS)(
    '%s: Security → Network → Data → Observability, each depending on every stack it imports from',
    (id, sr) => {
      // GIVEN the dependency graph of every stack of the assembly (pipeline and support stacks included)
      const graph = new Map(STACKS.map((s) => [s.path, s.dependsOn] as const));
      expect(stacksOf(sr).map((s) => graph.has(s.path))).toEqual(stacksOf(sr).map(() => true));
      // THEN following dependencies never leads back to where it started
      expect({ cycle: findCycle(graph) }).toEqual({ cycle: undefined });

      const order = stacksOf(sr).map((s) => s.path);
      const problems: string[] = [];
      for (const [i, stack] of stacksOf(sr).entries()) {
        // GIVEN the stacks this one depends on, and every value it imports
        for (const dep of stack.dependsOn) {
          const j = order.indexOf(dep);
          // THEN it depends only on earlier stacks of its own stage-region
          if (j < 0) {
            problems.push(`${stack.path} depends on ${dep}, which is not a stack of ${id}`);
          } else if (j >= i) {
            problems.push(`${stack.path} depends on ${dep}, which deploys after it`);
          }
        }
        for (const name of importedNames(stack.template)) {
          const producer = findExport(STACKS, stack, name);
          // AND every import has a producer, which it depends on (else CloudFormation may deploy the
          // consumer first, or the import names an export that never exists)
          if (!producer) {
            problems.push(`${stack.path} imports ${name}, which no stack in ${stack.account}/${stack.region} exports`);
          } else if (!stack.dependsOn.includes(producer.stack.path)) {
            problems.push(
              `${stack.path} imports ${name} from ${producer.stack.path} without depending on it (dependsOn ${show(stack.dependsOn)})`,
            );
          }
        }
        // AND every Ref, Fn::GetAtt and DependsOn inside the template names something the template has
        const declared = new Set([
          ...Object.keys(stack.template.Resources),
          ...Object.keys((stack.template.Parameters as object | undefined) ?? {}),
        ]);
        for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
          const targets = [
            ...findProperty(r, 'Ref').map((f) => f.value),
            ...findProperty(r, 'Fn::GetAtt').map((f) =>
              Array.isArray(f.value) ? f.value[0] : String(f.value).split('.')[0],
            ),
            ...asArray(r.DependsOn as string | string[]),
          ];
          for (const target of targets) {
            if (typeof target === 'string' && !target.startsWith('AWS::') && !declared.has(target)) {
              problems.push(`${stack.path} ${logicalId} refers to ${target}, which the template does not declare`);
            }
          }
        }
      }
      // AND the edges the tiers need are there
      const needs: Array<[string, string]> = [
        ['network', 'security'],
        ['data', 'security'],
        ['data', 'network'],
      ];
      for (const [consumer, producer] of needs) {
        const c = sr.stacks[consumer as (typeof TIERS)[number]];
        const p = sr.stacks[producer as (typeof TIERS)[number]];
        if (!c.dependsOn.includes(p.path)) {
          problems.push(`${c.path} does not depend on ${p.path} (dependsOn ${show(c.dependsOn)})`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});

describe('seed 6: Security Issue - Missing S3 Bucket Policy', () => {
  const SSE_HEADER = 's3:x-amz-server-side-encryption';

  test.each(STAGE_REGIONS)(
    '%s: every bucket denies non-TLS requests; the data bucket encrypts with the stage key and denies other encryption',
    (_id, sr) => {
      // GIVEN every bucket of the stage-region and the statements of the bucket policy attached to it
      const buckets = stacksOf(sr).flatMap((s) =>
        resourcesOfType(s.template, 'AWS::S3::Bucket').map(([id]) => [s, id] as const),
      );
      const dataBuckets = kmsEncryptedBuckets(sr.stacks.data);
      expect({ stack: sr.stacks.data.path, dataBuckets: dataBuckets.length }).toEqual({
        stack: sr.stacks.data.path,
        dataBuckets: 1,
      });
      const problems: string[] = [];
      for (const [stack, bucketId] of buckets) {
        const statements = bucketPolicyStatements(stack).filter((s) =>
          isDeepStrictEqual(stack.template.Resources[s.logicalId].Properties?.Bucket, { Ref: bucketId }),
        );
        const denies = statements.filter(
          (s) => s.statement.Effect === 'Deny' && isEveryonePrincipal(s.statement.Principal),
        );
        const name = `${stack.path} ${bucketId}`;
        // THEN a Deny for everyone of s3:* on the bucket and its objects when aws:SecureTransport is false
        const tls = denies.filter(
          (s) =>
            asArray(s.statement.Action).some((p) => p === 's3:*' || p === '*') &&
            namesResource(s.statement, bucketArn(bucketId)) &&
            namesResource(s.statement, objectsArn(bucketId)) &&
            conditionEntries(s.statement, 'aws:SecureTransport').some(
              ([op, v]) => op === 'Bool' && (v === 'false' || v === false),
            ),
        );
        if (tls.length === 0) {
          problems.push(
            `${name}: no bucket-policy Deny of s3:* when aws:SecureTransport is false (${statements.length} statements)`,
          );
        }
        // AND no statement conditions s3:GetObject on the SSE header (a Deny would refuse every read)
        for (const s of statements.filter((st) => statementCoversAction(st.statement, 's3:GetObject'))) {
          for (const [op, v] of conditionEntries(s.statement, SSE_HEADER)) {
            problems.push(
              `${describeStatement(s)} (${s.statement.Effect}) puts ${op} ${SSE_HEADER} = ${show(v)} on reads`,
            );
          }
        }
        if (!dataBuckets.includes(bucketId) || stack !== sr.stacks.data) {
          continue;
        }
        // AND on the data bucket, a Deny for everyone of s3:PutObject with x-amz-server-side-encryption
        // present and not aws:kms. Only when present: a part of a multipart upload carries no SSE header
        // (S3 API reference, UploadPart), and the seed's form (absence denied too) refuses every such
        // upload. No object lands unencrypted anyway: without the header, the bucket's default
        // encryption, checked next, applies the stage key.
        const unencrypted = denies.filter(
          (s) =>
            statementCoversAction(s.statement, 's3:PutObject') &&
            !asArray(s.statement.Action).some((p) => actionPatternMatches(p, 's3:GetObject')) &&
            namesResource(s.statement, objectsArn(bucketId)) &&
            conditionEntries(s.statement, SSE_HEADER).some(([op, v]) => op === 'StringNotEquals' && v === 'aws:kms') &&
            conditionEntries(s.statement, SSE_HEADER).some(([op, v]) => op === 'Null' && String(v) === 'false'),
        );
        if (unencrypted.length === 0) {
          problems.push(
            `${name}: no bucket-policy Deny of s3:PutObject with StringNotEquals ${SSE_HEADER} aws:kms (and the header present)`,
          );
        }
        // AND its default encryption is SSE-KMS with the stage's data key, from the Security stack
        const encryption = findProperty(
          stack.template.Resources[bucketId].Properties?.BucketEncryption,
          'SSEAlgorithm',
        );
        const keyValue = findProperty(
          stack.template.Resources[bucketId].Properties?.BucketEncryption,
          'KMSMasterKeyID',
        );
        const key = resolveReference(STACKS, stack, keyValue[0]?.value);
        if (
          encryption[0]?.value !== 'aws:kms' ||
          key?.stack.path !== sr.stacks.security.path ||
          key?.resource?.Type !== 'AWS::KMS::Key'
        ) {
          problems.push(
            `${name}: default encryption ${show(encryption[0]?.value)} with ${describeReference(key, keyValue[0]?.value)}; ` +
              `expected aws:kms with the data key of ${sr.stacks.security.path}`,
          );
        }
      }
      expect(buckets.length).toBeGreaterThanOrEqual(2);
      expect(problems).toEqual([]);
    },
  );
});

describe('seed 7: Monitoring Issue - Missing CloudWatch Alarms', () => {
  test.each(STAGE_REGIONS)(
    '%s: an RDS CPUUtilization alarm (Average, 300 s, > the configured threshold, 2 periods) on this stage-region’s DB instance',
    (_id, sr) => {
      // GIVEN the stage-region's database and the RDS CPU alarms of its Observability stack
      const data = sr.stacks.data;
      const observability = sr.stacks.observability;
      const [dbId, db] = theOne(data, 'AWS::RDS::DBInstance');
      const cpuAlarms = resourcesOfType(observability.template, 'AWS::CloudWatch::Alarm').filter(
        ([, r]) => r.Properties?.MetricName === 'CPUUtilization' && r.Properties?.Namespace === 'AWS/RDS',
      );
      expect({ stack: observability.path, rdsCpuAlarms: cpuAlarms.map(([id]) => id) }).toEqual({
        stack: observability.path,
        rdsCpuAlarms: [expect.any(String)],
      });
      const [alarmId, alarm] = cpuAlarms[0];
      const p = alarm.Properties ?? {};
      // THEN it has the seed's settings, field for field, with the stage's configured threshold (the
      // seed's 80 is the config's default)
      expect({
        alarm: `${observability.path} ${alarmId}`,
        Statistic: p.Statistic,
        Period: p.Period,
        Threshold: p.Threshold,
        EvaluationPeriods: p.EvaluationPeriods,
        ComparisonOperator: p.ComparisonOperator,
      }).toEqual({
        alarm: `${observability.path} ${alarmId}`,
        Statistic: 'Average',
        Period: 300,
        Threshold: sr.stage.alarms.cpuUtilizationPercent,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      // AND its only dimension is DBInstanceIdentifier, bound to the DB instance of the same stage-region:
      // the Ref of the Data stack's instance (through its export), or the same literal identifier
      const dimensions = asArray(p.Dimensions as Array<{ Name: string; Value: unknown }>);
      expect({ alarm: `${observability.path} ${alarmId}`, dimensions: dimensions.map((d) => d.Name) }).toEqual({
        alarm: `${observability.path} ${alarmId}`,
        dimensions: ['DBInstanceIdentifier'],
      });
      const value = dimensions[0].Value;
      const ref = resolveReference(STACKS, observability, value);
      const boundTo =
        typeof value === 'string'
          ? value === db.Properties?.DBInstanceIdentifier
            ? `${data.path} ${dbId}.Ref`
            : `literal ${value}`
          : ref
            ? `${ref.stack.path} ${ref.logicalId}.${ref.attribute}`
            : describeReference(ref, value);
      expect({ alarm: `${observability.path} ${alarmId}`, DBInstanceIdentifier: boundTo }).toEqual({
        alarm: `${observability.path} ${alarmId}`,
        DBInstanceIdentifier: `${data.path} ${dbId}.Ref`,
      });
      // AND it notifies an SNS topic
      const actions = asArray(p.AlarmActions as unknown[]).map((x) => resolveReference(STACKS, observability, x));
      expect({
        alarm: `${observability.path} ${alarmId}`,
        AlarmActions: actions.map((x) => x?.resource?.Type),
      }).toEqual({
        alarm: `${observability.path} ${alarmId}`,
        AlarmActions: ['AWS::SNS::Topic'],
      });
    },
  );
});

describe('seed 8: Security Issue - Missing VPC Flow Logs', () => {
  test.each(STAGE_REGIONS)(
    '%s: the VPC has a flow log of ALL traffic to a KMS-encrypted log group with a retention',
    (_id, sr) => {
      // GIVEN the stage-region's VPC and the flow logs of its Network stack
      const network = sr.stacks.network;
      const [vpcId] = theOne(network, 'AWS::EC2::VPC');
      const flowLogs = resourcesOfType(network.template, 'AWS::EC2::FlowLog').filter(([, r]) =>
        isDeepStrictEqual(r.Properties?.ResourceId, { Ref: vpcId }),
      );
      expect({ vpc: `${network.path} ${vpcId}`, flowLogs: flowLogs.map(([id]) => id) }).toEqual({
        vpc: `${network.path} ${vpcId}`,
        flowLogs: [expect.any(String)],
      });
      const [flowLogId, flowLog] = flowLogs[0];
      const p = flowLog.Properties ?? {};
      // THEN it records every flow (accepted and rejected) of the whole VPC into CloudWatch Logs
      expect({
        flowLog: `${network.path} ${flowLogId}`,
        ResourceType: p.ResourceType,
        TrafficType: p.TrafficType,
        LogDestinationType: p.LogDestinationType ?? 'cloud-watch-logs',
      }).toEqual({
        flowLog: `${network.path} ${flowLogId}`,
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      // AND its log group is one of this stack, encrypted with a KMS key of this stage-region, with a retention
      const group = resolveReference(STACKS, network, p.LogGroupName);
      const key = resolveReference(STACKS, network, group?.resource?.Properties?.KmsKeyId);
      expect({
        flowLog: `${network.path} ${flowLogId}`,
        logGroup: group && `${group.stack.path} ${group.resource?.Type}`,
        encryptedWith: key && `${key.stack.path} ${key.resource?.Type}`,
        retentionDays: group?.resource?.Properties?.RetentionInDays,
      }).toEqual({
        flowLog: `${network.path} ${flowLogId}`,
        logGroup: `${network.path} AWS::Logs::LogGroup`,
        encryptedWith: `${sr.stacks.security.path} AWS::KMS::Key`,
        retentionDays: sr.stage.logs.retentionDays,
      });
      // AND it delivers as a role only the VPC Flow Logs service can assume
      const role = resolveReference(STACKS, network, p.DeliverLogsPermissionArn);
      expect({
        flowLog: `${network.path} ${flowLogId}`,
        deliveryRoleTrusts: findProperty(role?.resource?.Properties?.AssumeRolePolicyDocument, 'Service').map(
          (f) => f.value,
        ),
      }).toEqual({ flowLog: `${network.path} ${flowLogId}`, deliveryRoleTrusts: ['vpc-flow-logs.amazonaws.com'] });
    },
  );
});

describe('seed 9: Deprecation Issue - RDS Password Management', () => {
  const HAND_MADE = [
    'AWS::SecretsManager::Secret',
    'AWS::SecretsManager::SecretTargetAttachment',
    'AWS::SecretsManager::RotationSchedule',
  ];

  test.each(STAGE_REGIONS)(
    '%s: no hand-made secret; the RDS-managed master secret is encrypted with the stage data key',
    (_id, sr) => {
      // GIVEN the four stacks of the stage-region
      // WHEN searched for Secrets Manager resources and dynamic references to secrets
      const secrets = stacksOf(sr).flatMap((s) =>
        Object.entries(s.template.Resources)
          .filter(([, r]) => HAND_MADE.includes(r.Type))
          .map(([id, r]) => `${s.path} ${id} (${r.Type})`),
      );
      const dynamicReferences = stacksOf(sr).flatMap((s) =>
        (JSON.stringify(s.template).match(/\{\{resolve:secretsmanager:[^"]*/g) ?? []).map((m) => `${s.path}: ${m}`),
      );
      // THEN there is none: the master password is not managed by hand
      expect(secrets).toEqual([]);
      expect(dynamicReferences).toEqual([]);
      // AND RDS manages it (ManageMasterUserPassword), in a secret encrypted with the stage's own data key
      const data = sr.stacks.data;
      const [dbId, db] = theOne(data, 'AWS::RDS::DBInstance');
      const secretKeyValue = (db.Properties?.MasterUserSecret as { KmsKeyId?: unknown } | undefined)?.KmsKeyId;
      const secretKey = resolveReference(STACKS, data, secretKeyValue);
      const storageKey = resolveReference(STACKS, data, db.Properties?.KmsKeyId);
      const keyName = (k: typeof secretKey, v: unknown) =>
        k
          ? `${k.stack.path} ${k.logicalId} (${k.resource?.Type})`
          : v === undefined
            ? 'absent: the AWS managed key aws/secretsmanager, not the stage key'
            : describeReference(k, v);
      expect({
        dbInstance: `${data.path} ${dbId}`,
        ManageMasterUserPassword: db.Properties?.ManageMasterUserPassword,
        masterUserSecretKey: keyName(secretKey, secretKeyValue),
      }).toEqual({
        dbInstance: `${data.path} ${dbId}`,
        ManageMasterUserPassword: true,
        masterUserSecretKey: keyName(storageKey, db.Properties?.KmsKeyId),
      });
      expect(storageKey?.stack.path).toBe(sr.stacks.security.path);
      expect(storageKey?.resource?.Type).toBe('AWS::KMS::Key');
    },
  );
});

describe('seed 10: Security Issue - Missing Multi-AZ and Backup Configuration', () => {
  test('the last stage, the one the pipeline promotes to last (production), is protected', () => {
    // GIVEN the stages of the deploy config, in promotion order
    const last = a.config.stages[a.config.stages.length - 1];
    // THEN the last one is protected, so the seed's strict form below applies to it in every region
    // (the loader refuses a protected stage without Multi-AZ, deletion protection or 30-day backups)
    expect({ stage: last.name, protected: last.protected }).toEqual({ stage: last.name, protected: true });
  });

  test.each(STAGE_REGIONS)(
    '%s: Multi-AZ, 30-day backups, deletion protection, CopyTagsToSnapshot, storage autoscaling',
    (_id, sr) => {
      // GIVEN the stage-region's database
      const data = sr.stacks.data;
      const [dbId, db] = theOne(data, 'AWS::RDS::DBInstance');
      const p = db.Properties ?? {};
      const allocated = Number(p.AllocatedStorage);
      const max = Number(p.MaxAllocatedStorage);
      // THEN a protected stage has the seed's form; an unprotected one what its config asks for
      const cfg = sr.stage.database;
      const expected = sr.stage.protected
        ? { MultiAZ: true, BackupRetentionAtLeast30: true, DeletionProtection: true }
        : {
            MultiAZ: cfg.multiAz,
            BackupRetentionAtLeast30: cfg.backupRetentionDays >= 30,
            DeletionProtection: cfg.deletionProtection,
          };
      expect({
        dbInstance: `${data.path} ${dbId}`,
        MultiAZ: p.MultiAZ,
        BackupRetentionAtLeast30: Number(p.BackupRetentionPeriod) >= 30,
        BackupRetentionPeriod: p.BackupRetentionPeriod,
        DeletionProtection: p.DeletionProtection,
        CopyTagsToSnapshot: p.CopyTagsToSnapshot,
        MaxAllocatedStorageAboveAllocated: max > allocated,
        storage: `${p.AllocatedStorage} GiB, autoscaling to ${p.MaxAllocatedStorage}`,
      }).toEqual({
        dbInstance: `${data.path} ${dbId}`,
        ...expected,
        BackupRetentionPeriod: cfg.backupRetentionDays,
        CopyTagsToSnapshot: true,
        MaxAllocatedStorageAboveAllocated: true,
        storage: `${p.AllocatedStorage} GiB, autoscaling to ${p.MaxAllocatedStorage}`,
      });
    },
  );
});
