/**
 * The operator's stop (SIGINT/SIGTERM), as the engine sees it. The first asks for a graceful
 * stop: no new step starts, running ones finish, every host is reported. The second asks to
 * stop now: commands in flight are cancelled (their connections closed, so the hosts end
 * them) and the hosts are reported as they are.
 */
export class Interrupt {
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private readonly onStopNow = new Set<() => void>();
  reason = 'interrupted';

  private readonly onRequest = new Set<() => void>();

  /** No new step starts from now on. */
  request(reason: string): void {
    if (this.state === 'running') {
      this.state = 'stopping';
      this.reason = reason;
      for (const f of this.onRequest) f();
    }
  }

  /** Call F when request() happens (at once if it has); returns the unsubscribe. */
  whenRequested(f: () => void): () => void {
    if (this.state !== 'running') {
      f();
      return () => {};
    }
    this.onRequest.add(f);
    return () => this.onRequest.delete(f);
  }

  /** Cancel what runs, too. */
  stopNow(reason: string): void {
    if (this.state === 'stopped') return;
    if (this.state === 'running') this.reason = reason;
    this.state = 'stopped';
    for (const f of this.onStopNow) f();
  }

  get requested(): boolean {
    return this.state !== 'running';
  }

  /** Call F when stopNow() happens (at once if it has); returns the unsubscribe. */
  whenStoppedNow(f: () => void): () => void {
    if (this.state === 'stopped') {
      f();
      return () => {};
    }
    this.onStopNow.add(f);
    return () => this.onStopNow.delete(f);
  }
}
