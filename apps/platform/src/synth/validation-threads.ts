import * as os from 'node:os';

/**
 * Validation threads for a synth that has the machine to itself: one core stays with the main thread
 * (it builds the app while the threads set their engines up), at most two more. On two cores that is
 * one thread: a second one was measured to gain nothing there (three threads on two cores slow the
 * build as much as they speed the validation).
 */
export function soloValidationThreads(): number {
  return Math.max(1, Math.min(2, os.availableParallelism() - 1));
}
