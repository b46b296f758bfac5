import { spawn } from 'node:child_process';
import { FakeClock } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import type { AgentProcess, AgentSupervisorEvent } from './agent-supervisor.js';
import { AgentSupervisor, restartDelayMs } from './agent-supervisor.js';

/** A real child process standing in for the agent: the supervision under test is of real processes. */
function spawnNode(script: string): AgentProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return { onExit: (listener) => child.once('exit', listener), kill: (signal) => child.kill(signal) };
}

function nextEvent(
  events: AgentSupervisorEvent[],
  type: AgentSupervisorEvent['type'],
): Promise<AgentSupervisorEvent> {
  const seen = events.length;
  return new Promise((resolve) => {
    const poll = (): void => {
      const found = events.slice(seen).find((event) => event.type === type);
      if (found) resolve(found);
      else setImmediate(poll);
    };
    poll();
  });
}

const options = {
  restartBackoffMsMin: 500,
  restartBackoffMsMax: 8_000,
  stableRunMs: 60_000,
  stopGraceMs: 2_000,
};

describe('restartDelayMs', () => {
  it('doubles from the minimum and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 100].map((n) => restartDelayMs(n, 500, 8_000))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000,
    ]);
  });
});

describe('AgentSupervisor', () => {
  it('restarts a crashing agent with growing backoff', async () => {
    const clock = new FakeClock(0);
    const events: AgentSupervisorEvent[] = [];
    const supervisor = new AgentSupervisor({
      ...options,
      clock,
      spawnAgent: () => spawnNode('process.exit(1)'),
      onEvent: (event) => events.push(event),
    });
    supervisor.start();
    const delays: number[] = [];
    for (let crash = 0; crash < 3; crash += 1) {
      const exited = await nextEvent(events, 'exited');
      if (exited.type !== 'exited') throw new Error('expected an exit');
      expect(exited.code).toBe(1);
      delays.push(exited.restartInMs);
      expect(supervisor.isRunning).toBe(false);
      clock.advance(exited.restartInMs - 1);
      expect(events.filter((event) => event.type === 'started')).toHaveLength(crash + 1);
      clock.advance(1);
      expect(events.filter((event) => event.type === 'started')).toHaveLength(crash + 2);
    }
    expect(delays).toEqual([500, 1_000, 2_000]);
    expect(supervisor.restarts).toBe(3);
    await supervisor.stop();
  });

  it('forgets earlier crashes once the agent has run stably', async () => {
    const clock = new FakeClock(0);
    const events: AgentSupervisorEvent[] = [];
    const supervisor = new AgentSupervisor({
      ...options,
      clock,
      spawnAgent: () => spawnNode('setTimeout(() => process.exit(2), 50)'),
      onEvent: (event) => events.push(event),
    });
    supervisor.start();
    const first = await nextEvent(events, 'exited');
    clock.advance(500);
    // The second run lasts longer than stableRunMs of kiosk time before it crashes.
    clock.advance(options.stableRunMs);
    const second = await nextEvent(events, 'exited');
    expect(first).toMatchObject({ restartInMs: 500 });
    expect(second).toMatchObject({ restartInMs: 500 });
    await supervisor.stop();
  });

  it('stops a running agent with SIGTERM and does not restart it', async () => {
    const clock = new FakeClock(0);
    const events: AgentSupervisorEvent[] = [];
    const supervisor = new AgentSupervisor({
      ...options,
      clock,
      spawnAgent: () => spawnNode('setInterval(() => {}, 1000)'),
      onEvent: (event) => events.push(event),
    });
    supervisor.start();
    expect(supervisor.isRunning).toBe(true);
    await supervisor.stop();
    expect(supervisor.isRunning).toBe(false);
    expect(events.map((event) => event.type)).toEqual(['started', 'stopped']);
    clock.advance(60_000);
    expect(events.filter((event) => event.type === 'started')).toHaveLength(1);
  });

  it('kills an agent that ignores SIGTERM after the grace period', async () => {
    const clock = new FakeClock(0);
    let signalSeen: string | null = null;
    let termReceived!: Promise<unknown>;
    const supervisor = new AgentSupervisor({
      ...options,
      clock,
      spawnAgent: () => {
        const child = spawn(
          process.execPath,
          [
            '-e',
            "process.on('SIGTERM', () => console.log('term')); console.log('ready'); setInterval(() => {}, 1000)",
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        const ready = new Promise((resolve) => child.stdout.once('data', resolve));
        termReceived = ready.then(() => new Promise((resolve) => child.stdout.once('data', resolve)));
        return {
          onExit: (listener) =>
            child.once('exit', (code, signal) => {
              signalSeen = signal;
              listener(code, signal);
            }),
          // Signals are sent only once the child has installed its handler, as a real agent would have.
          kill: (signal) => void ready.then(() => child.kill(signal)),
        };
      },
    });
    supervisor.start();
    const stopping = supervisor.stop();
    await termReceived;
    clock.advance(options.stopGraceMs - 1);
    expect(signalSeen).toBeNull();
    clock.advance(1);
    await stopping;
    expect(signalSeen).toBe('SIGKILL');
  });
});
