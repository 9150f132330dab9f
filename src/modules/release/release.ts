/**
 * release: a FreeBSD release as a jail template (seed 002): a directory or ZFS dataset
 * holding the release's sets, fetched from a mirror and checked against its MANIFEST,
 * extracted with tar --unlink, with the host's resolv.conf and localtime, brought to the
 * latest patch level with freebsd-update -b, and snapshotted (@base, or @pN per patch
 * level). The template says what it is (freebsd-version -u, markers of finished
 * extractions, its snapshots): a second run changes nothing, and a new patch on the update
 * server re-runs only the update (and its snapshot). Arguments: release-args.ts.
 */
import { defineModule } from '../kit/contract.js';
import { releaseArgs, type ReleaseArgs } from './args.js';
import { releaseFactQuery, type TemplateState } from './facts.js';
import { planRelease } from './plan.js';

interface ReleaseFacts {
  template: TemplateState;
}

export const release = defineModule<ReleaseArgs, ReleaseFacts>({
  name: 'release',
  summary: 'a FreeBSD release as a jail template: sets checked against MANIFEST, freebsd-update, snapshots',
  docs: {
    does:
      "Each set is fetched, checked against the release's MANIFEST sha256 and extracted (`tar -xf --unlink`); a marker written last " +
      "makes an interrupted extraction start again. The host's resolv.conf and localtime are copied in. The template's version is read " +
      'from the template itself; a new patch is found by `freebsd-update fetch` in the facts round trip (into a work directory, never the ' +
      'template), so a converged run costs one fetch per template (see `update_check_every`).',
  },
  args: releaseArgs,
  jailAware: false,
  describe: (a) => `release ${a.version} at ${a.path}`,
  facts: (a) => ({ template: releaseFactQuery(a) }),
  plan: (a, facts) => planRelease(a, facts.template),
});
