/**
 * Jest setup of every project whose tests build CDK apps (the construct libraries and the app):
 * stack traces as deep as Node.js makes them, 10 frames (`Error.stackTraceLimit`, "The default
 * value is 10", https://nodejs.org/api/errors.html#errorstacktracelimit), which is how
 * `npm run synth` runs the app. jest-environment-node raises the limit to 100 for every test file.
 *
 * aws-cdk-lib 2.276 captures a stack trace for every L1 resource it creates (its `aws:cdk:creationStack`
 * metadata, cfn-element.js) and for every acknowledged finding (validations.js, `recordAcknowledgment`),
 * and inside Jest each frame goes through its source-map support: with 100 frames a test file's
 * second build and synth of the fixture app (no validation) took 1.49–1.78 s, with 10 1.11–1.29 s.
 */
Error.stackTraceLimit = 10;
