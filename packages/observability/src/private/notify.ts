import { aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_sns as sns } from 'aws-cdk-lib';

/**
 * Sends both transitions of an alarm to the topic.
 *
 * The OK notification matters as much as the ALARM one: without it an operator who was paged cannot
 * tell from the topic whether the problem has cleared or is still open.
 */
export function notifyOnAlarmAndOk(alarm: cloudwatch.Alarm, topic: sns.ITopic): void {
  const action = new actions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
}
