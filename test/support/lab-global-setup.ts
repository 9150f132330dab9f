/**
 * Brings up the lab fleet for the integration tests and tears it down afterwards.
 * FLEETJAIL_LAB_HOSTS (default 20) sets its size; FLEETJAIL_LAB_REUSE=1 uses a lab that
 * is already up (and leaves it up), for quick iteration.
 */
import { defaultLayout } from '../lab/layout.js';
import { labDown, labStatus, labUp } from '../lab/fleet.js';

export default async function setup(): Promise<() => Promise<void>> {
  const layout = defaultLayout();
  const hosts = Number(process.env.FLEETJAIL_LAB_HOSTS ?? 20);
  if (process.env.FLEETJAIL_LAB_REUSE === '1') {
    const status = await labStatus(layout);
    if (status.length > 0 && status.every((h) => h.running && h.sshd)) return async () => {};
  }
  await labUp(layout, { hosts, log: (m) => console.error(m) });
  return async () => {
    await labDown(layout, { log: (m) => console.error(m) });
  };
}
