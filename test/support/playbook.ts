/**
 * Running playbooks on the lab in integration tests: `fleetjail run` through the CLI with a
 * JSON report, scripts on every host, and the assertions the module and seed tests share.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { fleetjail, type CliResult } from './cli.js';
import { labHosts, labPaths, shRun, type ShellResult } from './lab.js';
import type { JsonReportV1 } from '../../src/report/json-report.js';

export interface PlaybookRun extends CliResult {
  report: JsonReportV1;
}

/** A directory for a test file's playbooks, removed by the caller's afterAll. */
export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fleetjail-test-'));
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

let reports = 0;
/** `fleetjail run PLAYBOOK -i LAB-INVENTORY ARGS --report FILE`; the report must exist. */
export async function runPlaybook(playbook: string, args: string[] = []): Promise<PlaybookRun> {
  const report = path.join(os.tmpdir(), `fleetjail-test-report-${process.pid}-${++reports}.json`);
  const r = await fleetjail(['run', playbook, '-i', labPaths.inventory, ...args, '--report', report]);
  try {
    return { ...r, report: JSON.parse(fs.readFileSync(report, 'utf8')) as JsonReportV1 };
  } catch {
    throw new Error(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(report, { force: true });
  }
}

/** runPlaybook as `{ cli, report }`, with the extra arguments spread. */
export async function runWithReport(playbook: string, ...args: string[]): Promise<{ cli: CliResult; report: JsonReportV1 }> {
  const { report, ...cli } = await runPlaybook(playbook, args);
  return { cli, report };
}

/** An sh script on every lab host at once (whatever their login shells). */
export function onAllHosts(script: string): Promise<ShellResult[]> {
  return Promise.all(labHosts().map((h) => shRun(h, script)));
}

/** Every lab host ran without a failed step and changed exactly CHANGED steps. */
export function expectChangedOnAll(report: JsonReportV1, changed: number): void {
  for (const h of labHosts()) {
    expect(report.hosts[h.name]?.status, JSON.stringify(report.hosts[h.name]?.steps.filter((s) => s.error))).not.toBe('failed');
    expect(report.hosts[h.name]?.changed, h.name).toBe(changed);
  }
}

/** The change summaries that the text output printed for HOST's step NAME. */
export function changesOf(cli: CliResult, host: string, step: string): string[] {
  const line = cli.stdout.split('\n').find((l) => l.startsWith(`${host} | ${step}: `) && /: (would change|changed): /.test(l));
  return line ? line.replace(/^.*?: (would change|changed): /, '').split('; ') : [];
}
