/**
 * Evaluates one request of the access matrix against the policies of the model with
 * `@cloud-copilot/iam-simulate` (AGPL-3.0: a devDependency of the tests, never shipped), which applies
 * IAM's evaluation logic: explicit deny first, conditions and their ...IfExists forms, a KMS key policy
 * that must allow (directly, or through the account principal plus an IAM policy), cross-account
 * requests that need both sides.
 *
 * Two things the simulator leaves to its caller are done here: it fills in no global condition key
 * (the principal's ARN and account, whether it is a service, TLS), and version 0.1.173 drops
 * `kms:EncryptionContext:<key>` from every request (its list of allowed keys holds the template
 * `kms:encryptioncontext:${encryptioncontextkey}`, which it only matches for `/`-style keys), so the key
 * policies' CloudWatch Logs statements could never match. The shim below adds the concrete keys the
 * matrix uses to the allowed list, until the library matches them itself.
 */
import { AccessRow, Decision } from '../../../src/access/matrix';
import { ModelPrincipal, ModelResource, NamedPolicy, StageRegionModel } from './model';

/** The encryption-context keys the matrix puts in requests. */
const ENCRYPTION_CONTEXT_KEYS = ['kms:encryptioncontext:aws:logs:arn', 'kms:encryptioncontext:aws:s3:arn'];

/* eslint-disable @typescript-eslint/no-require-imports -- the shim must patch the CommonJS modules the library itself loads */
const simulatorRoot = require.resolve('@cloud-copilot/iam-simulate').replace(/index\.js$/, '');
const allowedKeys = require(`${simulatorRoot}simulation_engine/contextKeys.js`) as {
  allowedContextKeysForRequest: (...args: unknown[]) => Promise<string[]>;
};
const keyTypes = require(`${simulatorRoot}context_keys/contextKeys.js`) as {
  normalizeContextKeyCase: (key: string) => Promise<string>;
  typeForContextKey: (key: string) => Promise<string>;
};
/* eslint-enable @typescript-eslint/no-require-imports */
const isEncryptionContext = (key: string) => ENCRYPTION_CONTEXT_KEYS.includes(key.toLowerCase());
const originalAllowed = allowedKeys.allowedContextKeysForRequest;
allowedKeys.allowedContextKeysForRequest = async (...args: unknown[]) => {
  const keys = await originalAllowed(...args);
  return keys.includes('kms:encryptioncontext:${encryptioncontextkey}') ? [...keys, ...ENCRYPTION_CONTEXT_KEYS] : keys;
};
const originalNormalize = keyTypes.normalizeContextKeyCase;
keyTypes.normalizeContextKeyCase = async (key) => (isEncryptionContext(key) ? key : originalNormalize(key));
const originalType = keyTypes.typeForContextKey;
keyTypes.typeForContextKey = async (key) => (isEncryptionContext(key) ? 'String' : originalType(key));

// Loaded after the shim so that it uses the patched functions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulator = require('@cloud-copilot/iam-simulate') as typeof import('@cloud-copilot/iam-simulate');

/** The simulator's verdict on one request, and the statements that decided it. */
export interface Evaluation {
  readonly decision: Decision;
  /** The simulator's own word: Allowed, ImplicitlyDenied or ExplicitlyDenied. */
  readonly result: string;
  /** `<policy name> statement <Sid or #index>` for each decisive statement, or why none decided. */
  readonly decisive: string[];
  /** The request as evaluated. */
  readonly request: { principal: string; action: string; resource: string; context: Record<string, string | string[]> };
}

/** Replaces `{name}` placeholders of a matrix value. */
export function fill(value: string, placeholders: Record<string, string>): string {
  return value.replace(/\{([A-Za-z]+)\}/g, (m, name: string) => {
    if (!(name in placeholders)) {
      throw new Error(`the access matrix uses the placeholder ${m}, which the model does not define`);
    }
    return placeholders[name];
  });
}

/** Evaluates `row` in the stage-region `model`. */
export async function evaluate(model: StageRegionModel, row: AccessRow): Promise<Evaluation> {
  const placeholders = model.placeholders();
  const principal = model.principal(row.principal);
  const resource = model.resource(row.resource);
  const context: Record<string, string | string[]> = {
    ...principalContext(principal),
    'aws:SecureTransport': 'true',
    ...(row.action.startsWith('s3:') ? { 's3:TlsVersion': '1.3' } : {}),
    ...(row.action.startsWith('kms:') && principal.account ? { 'kms:CallerAccount': principal.account } : {}),
  };
  for (const [key, value] of Object.entries(row.context ?? {})) {
    context[key] = Array.isArray(value) ? value.map((v) => fill(v, placeholders)) : fill(value, placeholders);
  }
  return run(principal, row.action, resource, context);
}

async function run(
  principal: ModelPrincipal,
  action: string,
  resource: ModelResource,
  context: Record<string, string | string[]>,
): Promise<Evaluation> {
  const request = { principal: principal.id, action, resource: resource.arn, context };
  const result = await simulator.runSimulation(
    {
      request: {
        principal: principal.kind === 'anonymous' ? simulator.anonymousPrincipal : principal.id,
        action,
        resource: { resource: resource.arn, accountId: resource.account },
        contextVariables: context,
      },
      identityPolicies: principal.identityPolicies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource.policy?.document,
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(
      `the simulator refused ${action} by ${principal.id} on ${resource.arn}: ${JSON.stringify(result.errors)}`,
    );
  }
  // A resource ARN with a literal '*' (a log group as CloudWatch Logs names it, `...:RDSOSMetrics:*`) is
  // simulated as a pattern: one result per statement resource it meets, none when no statement names it.
  const single = result.resultType === 'single' ? result.result : result.results[0];
  const verdict = result.resultType === 'single' ? single.analysis.result : result.overallResult;
  const analysis = single?.analysis;
  const reasons = !analysis
    ? []
    : verdict === 'Allowed'
      ? simulator.getGrantReasons(analysis)
      : simulator
          .getDenialReasons(analysis)
          .filter((d) => verdict !== 'ExplicitlyDenied' || d.denialType === 'Explicit');
  const decisive = reasons.map((r) => {
    const statement = r as { statementId?: string; statementIndex?: number };
    const which =
      statement.statementId ?? (statement.statementIndex !== undefined ? `#${statement.statementIndex}` : undefined);
    return `${policyName(r, resource.policy)}${which ? ` statement ${which}` : ' (no statement allows it)'}`;
  });
  if (decisive.length === 0) {
    decisive.push(
      resource.policy
        ? `no statement allows it (neither ${resource.policy.name} nor an identity policy of the principal)`
        : 'no statement allows it, and the resource has no policy that could',
    );
  }
  return { decision: verdict === 'Allowed' ? 'Allowed' : 'Denied', result: verdict, decisive, request };
}

function policyName(reason: { policyType: string }, resourcePolicy: NamedPolicy | undefined): string {
  if (reason.policyType === 'resource') {
    return resourcePolicy?.name ?? 'the resource policy';
  }
  const identifier = (reason as { policyIdentifier?: string }).policyIdentifier;
  return reason.policyType === 'identity' && !identifier ? 'the identity policies' : (identifier ?? reason.policyType);
}

/** The global condition keys IAM sets from the principal, which the simulator leaves to its caller. */
function principalContext(principal: ModelPrincipal): Record<string, string> {
  switch (principal.kind) {
    case 'anonymous':
      return {};
    case 'service':
      return { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal.id };
    case 'role':
      return {
        'aws:PrincipalIsAWSService': 'false',
        'aws:PrincipalArn': principal.id,
        'aws:PrincipalAccount': principal.account ?? '',
      };
  }
}

/** One line for a failure: principal, action, resource, context, decision, decisive statements. */
export function describeEvaluation(row: AccessRow, evaluation: Evaluation): string {
  const context = Object.keys(row.context ?? {})
    .map((k) => `${k}=${JSON.stringify(evaluation.request.context[k])}`)
    .join(', ');
  return (
    `${row.principal} (${evaluation.request.principal}) ${row.action} on ${row.resource} (${evaluation.request.resource})` +
    `${context ? ` with ${context}` : ''}: expected ${row.expected}, got ${evaluation.result}, decided by ` +
    evaluation.decisive.join('; ')
  );
}
