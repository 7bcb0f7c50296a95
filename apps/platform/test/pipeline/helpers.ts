/* eslint-disable @typescript-eslint/no-explicit-any -- templates and reports are untyped JSON */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** The template of a stack of an already synthesized app, read from its outdir (no second synth). */
export function synthesizedTemplate(app: App, stack: Stack): Template {
  return Template.fromJSON(JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf-8')));
}

/** A CloudFormation value as one string: `Ref: AWS::Partition` is `aws`, other references `<Id>`. */
export function flat(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const o = value as Record<string, any>;
  if (o?.Ref === 'AWS::Partition') {
    return 'aws';
  }
  if (o?.Ref !== undefined) {
    return `<${o.Ref}>`;
  }
  if (o?.['Fn::Join']) {
    return (o['Fn::Join'][1] as unknown[]).map(flat).join(o['Fn::Join'][0]);
  }
  if (o?.['Fn::GetAtt']) {
    return `<${o['Fn::GetAtt'].join('.')}>`;
  }
  if (o?.['Fn::Sub'] !== undefined) {
    return String(o['Fn::Sub']).replace('${AWS::Partition}', 'aws');
  }
  return JSON.stringify(value);
}

export interface PipelineAction {
  /** Name of the CodePipeline stage. */
  readonly stage: string;
  /** Position of the stage in the pipeline. */
  readonly stageIndex: number;
  readonly name: string;
  readonly runOrder: number;
  readonly action: Record<string, any>;
}

/** The properties of the one AWS::CodePipeline::Pipeline of a template. */
export function pipelineProperties(template: Template): Record<string, any> {
  const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  expect(pipelines).toHaveLength(1);
  return pipelines[0].Properties;
}

/** Every action of the pipeline, in execution order (stage, then run order). */
export function pipelineActions(template: Template): PipelineAction[] {
  return (pipelineProperties(template).Stages as Array<Record<string, any>>).flatMap((stage, stageIndex) =>
    (stage.Actions as Array<Record<string, any>>)
      .map((action) => ({ stage: stage.Name, stageIndex, name: action.Name, runOrder: action.RunOrder ?? 1, action }))
      .sort((a, b) => a.runOrder - b.runOrder),
  );
}

/** The action named `name`; fails the test when there is not exactly one. */
export function actionNamed(template: Template, name: string): PipelineAction {
  const found = pipelineActions(template).filter((a) => a.name === name);
  expect(found.map((a) => a.name)).toEqual([name]);
  return found[0];
}

/** The CodeBuild project an action runs. */
export function projectOf(template: Template, action: PipelineAction): Record<string, any> {
  const id = action.action.Configuration.ProjectName.Ref as string;
  return template.toJSON().Resources[id];
}

/**
 * The parsed buildspec of a CodeBuild project.
 *
 * CDK Pipelines writes the asset publishing buildspec to a file of the cloud assembly (`outdir`)
 * instead of inlining it; the others are inline JSON.
 */
export function buildSpecOf(project: Record<string, any>, outdir?: string): Record<string, any> {
  const spec = project.Properties.Source.BuildSpec as string;
  if (/^buildspec-.*\.yaml$/.test(spec) && outdir) {
    return JSON.parse(fs.readFileSync(path.join(outdir, spec), 'utf-8'));
  }
  return JSON.parse(spec);
}

/**
 * Synthesizes an app that is expected to have findings and returns the construct paths reported.
 *
 * (`validate` of tools/testing/compliance rethrows the CDK's validation error in aws-cdk-lib 2.276,
 * whose message no longer starts with 'Validation failed', so the report is read here.)
 */
export function violatingPaths(app: App): string[] {
  try {
    app.synth();
  } catch {
    // the report below is the result
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf-8'));
  return report.pluginReports.flatMap((p: any) =>
    (p.violations ?? []).flatMap((v: any) => v.violatingConstructs.map((c: any) => c.constructPath)),
  );
}

/** Every statement of the IAM policies attached to the role `roleId` (a logical id). */
export function statementsOfRole(template: Template, roleId: string): Array<Record<string, any>> {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => flat(r) === `<${roleId}>`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** The actions of a statement, always as a list. */
export function actionsOf(statement: Record<string, any>): string[] {
  return [statement.Action].flat();
}
