// CPU accounting from /proc (Linux): how busy the server process and the whole machine
// were during one measured run. Everything returns null where /proc is not available.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of all cores together, from the first line of /proc/stat. */
export function machineTicks() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = values[3] + (values[4] ?? 0); // idle + iowait
    const total = values.reduce((sum, v) => sum + v, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Starts a measurement; `end()` gives the server's CPU use in % of one core, this process's
 * (the load generator's) in % of one core, and the whole machine's busy share in % of all cores.
 */
export function startCpuMeter(serverPid) {
  const started = performance.now();
  const server = processCpuSeconds(serverPid);
  const client = process.cpuUsage();
  const machine = machineTicks();
  return {
    end() {
      const seconds = (performance.now() - started) / 1000;
      const serverNow = processCpuSeconds(serverPid);
      const clientUsed = process.cpuUsage(client);
      const machineNow = machineTicks();
      const pct = (value) => (value === null ? null : Math.round(value * 1000) / 10);
      return {
        serverPctOfCore: server === null || serverNow === null ? null : pct((serverNow - server) / seconds),
        clientPctOfCore: pct((clientUsed.user + clientUsed.system) / 1e6 / seconds),
        machineBusyPct:
          machine === null || machineNow === null || machineNow.total === machine.total
            ? null
            : pct((machineNow.busy - machine.busy) / (machineNow.total - machine.total)),
      };
    },
  };
}

export const coreCount = () => cpus().length;
