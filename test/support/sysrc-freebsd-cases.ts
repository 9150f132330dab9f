/**
 * FreeBSD's own test cases for sysrc(8) (usr.sbin/sysrc/tests/sysrc_test.sh in freebsd-src),
 * as data: each case's files, then commands with the output, exit status and file content
 * FreeBSD's test expects. $CONF and $CONF2 stand for the test's two files, $SYSRC for the
 * sysrc program's own path (what sh names in its "not found" message).
 */
export interface SysrcStep {
  args: string[];
  env?: Record<string, string>;
  stdout?: string;
  stderr?: string;
  /** Exit status (default 0). */
  exit?: number;
  /** $CONF's content afterwards; null: no such file. */
  conf?: string | null;
}

export interface SysrcCase {
  name: string;
  /** Files before the first step: $CONF, $CONF2, $DEFAULTS (an RC_DEFAULTS file). */
  files: { CONF?: string; CONF2?: string; DEFAULTS?: string };
  steps: SysrcStep[];
}

const unknown = (n: string) => `sysrc: unknown variable '${n}'\n`;
const f = (...args: string[]) => ['-f', '$CONF', ...args];

export const FREEBSD_SYSRC_CASES: SysrcCase[] = [
  {
    name: 'check_variable',
    files: { CONF: 'test_enable="NO"\ntest_list="item1 item2"\ntest2_list=""\n' },
    steps: [
      { args: f('test_enable'), stdout: 'test_enable: NO\n' },
      { args: f('test2_list'), stdout: 'test2_list: \n' },
      { args: f('test_enable', 'test_list'), stdout: 'test_enable: NO\ntest_list: item1 item2\n' },
      { args: f('noexist'), stderr: unknown('noexist'), exit: 1 },
      { args: f('test_enable', 'noexist'), stdout: 'test_enable: NO\n', stderr: unknown('noexist'), exit: 1 },
    ],
  },
  {
    name: 'set_variable',
    files: {},
    steps: [
      { args: f('test_enable=YES'), stdout: 'test_enable:  -> YES\n', conf: 'test_enable="YES"\n' },
      { args: f('test_enable=YES'), stdout: 'test_enable: YES -> YES\n', conf: 'test_enable="YES"\n' },
      { args: f('test_enable=NO'), stdout: 'test_enable: YES -> NO\n', conf: 'test_enable="NO"\n' },
      { args: f('test2_enable='), stdout: 'test2_enable:  -> \n', conf: 'test_enable="NO"\ntest2_enable=""\n' },
    ],
  },
  {
    name: 'remove_variable_x_flag',
    files: { CONF: 'test1_enable="YES"\ntest2_enable="NO"\ntest3_enable=""\n' },
    steps: [
      { args: f('-x', 'test1_enable'), stdout: '', conf: 'test2_enable="NO"\ntest3_enable=""\n' },
      { args: f('-x', 'test2_enable', 'test3_enable'), stdout: '', conf: '' },
      { args: f('-x', 'noexist'), stderr: unknown('noexist'), exit: 1 },
    ],
  },
  {
    name: 'append_list',
    files: {},
    steps: [
      { args: f('test_list+=item1'), stdout: 'test_list:  -> item1\n', conf: 'test_list="item1"\n' },
      { args: f('test_list+=item1'), stdout: 'test_list: item1 -> item1\n', conf: 'test_list="item1"\n' },
      { args: f('test_list+=item2'), stdout: 'test_list: item1 -> item1 item2\n', conf: 'test_list="item1 item2"\n' },
    ],
  },
  {
    name: 'subtract_list',
    files: { CONF: 'test_list="item1 item2"\n' },
    steps: [
      { args: f('test_list-=item2'), stdout: 'test_list: item1 item2 -> item1\n', conf: 'test_list="item1"\n' },
      { args: f('test_list-=item1'), stdout: 'test_list: item1 -> \n', conf: 'test_list=""\n' },
      { args: f('test_list-=item3'), stdout: 'test_list:  -> \n', conf: 'test_list=""\n' },
      // Subtracting from a variable that is not set creates it empty (by design, see sysrc(8)).
      { args: f('test2_list-=item1'), stdout: 'test2_list:  -> \n', conf: 'test_list=""\ntest2_list=""\n' },
    ],
  },
  {
    name: 'multiple_operations',
    files: {},
    steps: [
      {
        args: f('test1_enable=YES', 'test1_list+=item1'),
        stdout: 'test1_enable:  -> YES\ntest1_list:  -> item1\n',
        conf: 'test1_enable="YES"\ntest1_list="item1"\n',
      },
      {
        args: f('test1_enable', 'test1_enable=NO', 'noexist', 'test2_enable=YES', 'test1_list-=item1', 'test2_list+=item3'),
        stdout: 'test1_enable: YES\ntest1_enable: YES -> NO\ntest2_enable:  -> YES\ntest1_list: item1 -> \ntest2_list:  -> item3\n',
        stderr: unknown('noexist'),
        exit: 1,
        conf: 'test1_enable="NO"\ntest1_list=""\ntest2_enable="YES"\ntest2_list="item3"\n',
      },
    ],
  },
  {
    name: 'a_flag',
    files: { CONF: 'test_enable="YES"\n' },
    steps: [{ args: f('-a'), stdout: 'test_enable: YES\n' }],
  },
  {
    name: 'A_flag',
    // A defaults file without source_rc_confs: sh's "not found", and only the defaults are read.
    files: { DEFAULTS: 'rc_conf_files="$CONF"\ntest_enable="NO"\n', CONF: 'test_enable="YES"\n' },
    steps: [
      {
        args: ['-A'],
        env: { RC_DEFAULTS: '$DEFAULTS' },
        stdout: 'rc_conf_files: $CONF\ntest_enable: NO\n',
        stderr: '$SYSRC: source_rc_confs: not found\n',
      },
    ],
  },
  {
    name: 'c_flag',
    files: { CONF: 'test_enable="NO"\ntest_list="item1 item2"\n' },
    steps: [
      { args: f('-c', 'test_enable') },
      { args: f('-c', 'test_list') },
      { args: f('-c', 'test_enable', 'test_list') },
      { args: f('-c', 'noexist'), stderr: unknown('noexist'), exit: 1 },
      { args: f('-c', 'test_enable', 'noexist'), stderr: unknown('noexist'), exit: 1 },
      { args: f('-c', 'noexist1', 'noexist2'), stderr: unknown('noexist1') + unknown('noexist2'), exit: 1 },
      { args: f('-c', 'test_enable=NO') },
      { args: f('-c', 'test_enable=YES'), exit: 1 },
      { args: f('-c', 'noexist=YES'), exit: 1 },
      { args: f('-c', 'test_list+=item1') },
      { args: f('-c', 'test_list+=item3'), exit: 1 },
      { args: f('-c', 'noexist+=item1'), exit: 1 },
      { args: f('-c', 'test_enable=NO', 'test_list+=item1') },
      { args: f('-c', 'test_enable=YES', 'test_list+=item1'), exit: 1 },
      { args: f('-c', 'test_enable=NO', 'test_list+=item3'), exit: 1 },
      { args: f('-c', 'test_enable=YES', 'test_list+=item3'), exit: 1 },
      { args: f('-c', 'test_list-=item3') },
      { args: f('-c', 'test_list-=item1'), exit: 1 },
      { args: f('-c', 'noexist-=item1'), exit: 1 },
      { args: f('-c', 'test_enable=NO', 'test_list-=item3') },
      { args: f('-c', 'test_enable=YES', 'test_list-=item3'), exit: 1 },
      { args: f('-c', 'test_enable=NO', 'test_list-=item1'), exit: 1 },
      { args: f('-c', 'test_enable=YES', 'test_list-=item1'), exit: 1 },
    ],
  },
  {
    name: 'd_flag',
    files: { CONF: 'test_enable="NO" # Test Description\n' },
    steps: [{ args: ['-d', 'test_enable'], env: { RC_DEFAULTS: '$CONF' }, stdout: 'test_enable: Test Description\n' }],
  },
  {
    name: 'f_flag',
    files: { CONF2: 'test_list="item1"\ntest_enable="NO"\n' },
    steps: [
      { args: f('noexist'), stderr: unknown('noexist'), exit: 1, conf: null },
      { args: f('test_enable=YES'), stdout: 'test_enable:  -> YES\n' },
      { args: f('test_enable'), stdout: 'test_enable: YES\n' },
      // -f file order decides
      { args: ['-f', '$CONF2', '-f', '$CONF', 'test_enable'], stdout: 'test_enable: YES\n' },
      { args: ['-f', '$CONF', '-f', '$CONF2', 'test_enable'], stdout: 'test_enable: NO\n' },
      { args: ['-f', '$CONF2', '-f', '$CONF', '-a'], stdout: 'test_enable: YES\ntest_list: item1\n' },
    ],
  },
  {
    name: 'F_flag',
    files: { CONF2: 'test_list="item1"\n', CONF: 'test_enable="NO"\n' },
    steps: [
      { args: f('-F', 'test_enable'), stdout: 'test_enable: $CONF\n' },
      { args: ['-f', '$CONF2', '-F', 'test_list'], stdout: 'test_list: $CONF2\n' },
      { args: ['-f', '$CONF', '-f', '$CONF2', '-F', 'test_enable', 'test_list'], stdout: 'test_enable: $CONF\ntest_list: $CONF2\n' },
    ],
  },
];
