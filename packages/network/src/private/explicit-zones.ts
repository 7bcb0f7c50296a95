import { Stack } from 'aws-cdk-lib';

/**
 * Runs `build` while `stack.availabilityZones` answers with the given zones instead of a lookup.
 *
 * `ec2.Vpc` reads `Stack.availabilityZones` even when `availabilityZones` is passed explicitly,
 * only to check the given zones against it. In a stack with a concrete account and region that
 * read records an `availability-zones` context lookup, which makes `cdk synth` call AWS (and fail
 * on a machine without credentials). The zones are given and validated by the caller, so the
 * question is answered with them, and the stack is restored as soon as `build` returns.
 */
export function withExplicitZones<T>(stack: Stack, zones: string[], build: () => T): T {
  const own = Object.getOwnPropertyDescriptor(stack, 'availabilityZones');
  Object.defineProperty(stack, 'availabilityZones', { configurable: true, get: () => [...zones] });
  try {
    return build();
  } finally {
    if (own) {
      Object.defineProperty(stack, 'availabilityZones', own);
    } else {
      delete (stack as { availabilityZones?: string[] }).availabilityZones;
    }
  }
}
