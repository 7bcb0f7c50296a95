/**
 * Alarm threshold rules, shared by the observability package's alarms (`DatabaseAlarms`,
 * `FlowLogRejectAlarm`) and the app's config loader.
 *
 * A threshold outside its range deploys without complaint and then never fires (CPU above 120%) or
 * always fires (free storage below 100%); refusing it at synth is the only place it gets noticed.
 */
import { valueRule } from './value-rules';

/** A percentage a metric can exceed: above 0 and at most 100 (CPU utilization). */
export const ALARM_PERCENT = valueRule<number>('alarms.percent', 'a percentage above 0 and at most 100', (value) =>
  Number.isFinite(value) && value > 0 && value <= 100
    ? undefined
    : 'is not allowed; give a percentage above 0 and at most 100',
);

/**
 * A share of a total the metric falls below: above 0 and below 100 (free storage). At 100 the alarm
 * would fire whenever a single byte is in use.
 */
export const ALARM_PERCENT_BELOW_HUNDRED = valueRule<number>(
  'alarms.percentBelowHundred',
  'a percentage above 0 and below 100',
  (value) =>
    Number.isFinite(value) && value > 0 && value < 100
      ? undefined
      : 'is not allowed; give a percentage above 0 and below 100',
);

/** A count, size or latency threshold: a finite number above 0. */
export const ALARM_POSITIVE = valueRule<number>('alarms.positive', 'a finite number above 0', (value) =>
  Number.isFinite(value) && value > 0 ? undefined : 'is not allowed; give a finite number above 0',
);
