import { MOT_EVAL_USAGE, motEvalCommand } from './mot-eval-command.ts';
import { MOT_TRACK_USAGE, motTrackCommand } from './mot-track-command.ts';

/** Usage of `sightline mot`. */
export const MOT_USAGE = `${MOT_EVAL_USAGE}\n\n${MOT_TRACK_USAGE}`;

/** `sightline mot eval|track`; returns the exit code. */
export async function motCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'eval') return motEvalCommand(rest);
  if (sub === 'track') return motTrackCommand(rest);
  const help = sub === undefined || sub === 'help' || sub === '--help' || sub === '-h';
  (help ? console.log : console.error)(`${help ? '' : `sightline mot: unknown subcommand "${sub}"\n`}${MOT_USAGE}`);
  return help && sub !== undefined ? 0 : 2;
}
