/**
 * How the app validates, without loading the app: the synth's preload (start-validation.ts) reads
 * these before anything else, and buildPlatformApp reads the same.
 */
import * as os from 'node:os';

/**
 * Whether the CDK's CloudFormation validation (with the Control Tower controls) runs: on, unless
 * CDK_VALIDATION=false, which tests about something else set.
 */
export function builtInValidationOn(): boolean {
  return process.env.CDK_VALIDATION !== 'false';
}

/**
 * Validation threads for a synth that has the machine to itself: one core stays with the main thread
 * (it builds the app while the threads set their engines up), at most two more. On two cores that is
 * one thread: a second one was measured to gain nothing there (three threads on two cores slow the
 * build as much as they speed the validation).
 */
export function soloValidationThreads(): number {
  return Math.max(1, Math.min(2, os.availableParallelism() - 1));
}
