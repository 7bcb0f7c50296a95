/**
 * Jest setup of the construct libraries: template assertions run without the CDK's built-in
 * CloudFormation validation (engine set-up ~1.5 s per worker, ~85 ms per template).
 *
 * Tests that assert findings use `checkedApp()` (./compliance.ts), which registers the
 * CloudFormation validation explicitly, so it runs there whatever this variable says.
 */
process.env.CDK_VALIDATION = 'false';
