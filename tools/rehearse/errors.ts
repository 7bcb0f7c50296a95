/**
 * Why the rehearsal could not start (bad arguments, no synthesized pipeline, git failing): exit
 * code 2 with the message alone, so that it is never mistaken for a failing pipeline command.
 */
export class CannotRehearse extends Error {}
