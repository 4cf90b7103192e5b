import { AppError, errorMessage } from '../core/errors.ts';
import { ANALYZE_USAGE, analyzeCommand } from './analyze-command.ts';
import { benchCommand } from './bench-command.ts';
import { configCommand } from './config-command.ts';
import { countCommand } from './count-command.ts';
import { keysCommand } from './keys-command.ts';
import { modelsCommand } from './models-command.ts';
import { motCommand } from './mot-command.ts';
import { mtmcCommand } from './mtmc-command.ts';
import { calibrateCommand } from './calibrate-command.ts';

const USAGE = `usage: sightline <command> [options]
commands:
  serve [--config FILE] [--role all|api|worker]
                                 run the server (default config: a demo camera on the sample clip; roles: docs/cluster.md)
  analyze VIDEO [options]        analyse a video offline (see: sightline analyze --help)
  config check FILE              validate a configuration file
  keys create --role ROLE        print a new API key for scripts (on the server machine; see: sightline keys)
  mot eval|track [options]       MOTChallenge evaluation and tracking (see: sightline mot --help)
  count eval|degrade [options]   line and zone counting measured on MOTChallenge gt (see: sightline count --help)
  calibrate --pairs FILE         fit a camera-to-floor-plan calibration and show each point pair's error (see: sightline calibrate --help)
  mtmc scene|eval [options]      cross-camera identity measured on multi-camera scenes (see: sightline mtmc --help)
  bench detect [options]         measure detection speed on this machine (see: sightline bench --help)
  models inspect FILE.onnx       read an ONNX file and propose a model manifest (see: sightline models --help)
  models list|add|remove         list, add or remove models in the data folder (see: sightline models --help)
`;

/** Dispatches `sightline` subcommands; every failure becomes one clear line and a non-zero exit code. */
async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      const { runServer } = await import('../main.ts');
      return runServer(rest);
    }
    case 'analyze':
      return analyzeCommand(rest);
    case 'config':
      return configCommand(rest);
    case 'keys':
      return keysCommand(rest);
    case 'mot':
      return motCommand(rest);
    case 'count':
      return countCommand(rest);
    case 'mtmc':
      return mtmcCommand(rest);
    case 'calibrate':
      return calibrateCommand(rest);
    case 'bench':
      return benchCommand(rest);
    case 'models':
      return modelsCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(`${USAGE}\n${ANALYZE_USAGE}`);
      return cmd === undefined ? 2 : 0;
    default:
      console.error(`sightline: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const code = err instanceof AppError ? ` [${err.code}]` : '';
  console.error(`sightline: ${errorMessage(err)}${code}`);
  process.exitCode = 1;
}
