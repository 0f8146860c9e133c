#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The exit code is set rather than forced with process.exit, so pending output is flushed.
process.exitCode = await runCli(process.argv.slice(2));
