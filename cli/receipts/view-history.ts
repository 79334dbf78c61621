import path from 'node:path';
import { fileHistory, packageHistory, type StateView } from '../../src/index.js';
import type { Output } from '../output.js';
import { JSON_FORMAT_VERSION, shortDigest, shortTime } from './common.js';

/** Prints one file's history (or its JSON). */
export function printFileHistory(out: Output, view: StateView, target: string): void {
  const absolute = path.resolve(target);
  const history = fileHistory(view, absolute);
  if (out.isJson) {
    out.json({ version: JSON_FORMAT_VERSION, path: absolute, history, problems: view.problems });
    return;
  }
  if (history.length === 0) {
    out.line(`no receipt mentions ${absolute}`, true);
    return;
  }
  out.table(
    [
      { title: 'TIME (UTC)' }, { title: 'TOOL' }, { title: 'ACTION' }, { title: 'STATUS' },
      { title: 'PROJECT' }, { title: 'LAYER' }, { title: 'DIGEST' }, { title: 'RECEIPT' },
    ],
    history.map((record) => [
      shortTime(record.time),
      record.tool,
      record.isSecret ? `${record.action} ${out.paint('magenta', '(secret)')}` : record.action,
      record.status,
      record.project ?? '-',
      record.layer ?? '-',
      shortDigest(record.target_digest),
      record.receipt,
    ]),
  );
}

/** Prints one package's history (or its JSON). */
export function printPackageHistory(out: Output, view: StateView, name: string): void {
  const history = packageHistory(view, name);
  if (out.isJson) {
    out.json({ version: JSON_FORMAT_VERSION, package: name, history, problems: view.problems });
    return;
  }
  if (history.length === 0) {
    out.line(`no receipt mentions package ${name}`, true);
    return;
  }
  // Lore records say where the package went; package-manager ones say which manager.
  const where = history.some((record) => record.prefix !== undefined) ? 'PREFIX' : 'MANAGER';
  out.table(
    [
      { title: 'TIME (UTC)' }, { title: 'TOOL' }, { title: 'ACTION' }, { title: 'STATUS' },
      { title: 'VERSION' }, { title: where }, { title: 'RECEIPT' },
    ],
    history.map((record) => [
      shortTime(record.time),
      record.tool,
      record.action,
      record.status === 'compensated' ? 'rolled back' : record.status,
      record.version ?? '-',
      record.prefix ?? record.manager ?? '-',
      record.receipt,
    ]),
  );
}
