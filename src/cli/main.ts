#!/usr/bin/env node
import { runCli } from './run-cli.js';

// steward pins an AWS SDK release that supports Node 20 (see package.json engines); the SDK's
// notice that later releases will need Node 22 is for SDK upgraders, not for steward's users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`steward find cases | head`) closes the pipe: stop quietly, as Unix
// tools do, instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// The exit code is set rather than forced with process.exit, so pending output is flushed.
process.exitCode = await runCli(process.argv.slice(2));
