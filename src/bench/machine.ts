import { cpus, platform, release, totalmem } from 'node:os';

/** What a benchmark ran on, as every `bench` command records it. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly executionProvider: string;
  readonly threads: number;
}

/** This machine, with the requested execution provider and inference threads. */
export function machineInfo(executionProvider: string, threads: number): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    executionProvider,
    threads,
  };
}

/** One line for humans. */
export function formatMachine(m: MachineInfo): string {
  return `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, requested provider ${m.executionProvider}, ${m.threads} inference threads`;
}
