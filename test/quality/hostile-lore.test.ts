import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { editManifest, expectOneLineError, expectRejected, install, snapshotDisk, withHostileLore } from './hostile-lore-helpers.js';

/*
 * Issue #8, item 1, for lore: hostile or broken package manifests and registry indexes
 * (names and arguments: hostile-lore-names.test.ts; archives: hostile-lore-archives.test.ts). Each is rejected before anything runs: exit 2 (4 for a digest the index pins),
 * one `lore: error:` line naming the file and line, no stack trace, and the disk (prefix,
 * state dir, registry, a sentinel outside) byte-identical to before.
 */

const LINK = '- link: { source: bin/tool, target: "${prefix}/bin/tool" }';

/** Replaces `from` (which must occur) in a manifest's text. */
function replacing(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`the manifest has no ${JSON.stringify(from)}`);
    return text.replace(from, to);
  };
}

describe('lore with a broken package.yaml', () => {
  it.each([
    ['malformed YAML', replacing('description: test package tool', 'description: [unclosed'), /package\.yaml:\d+: not valid YAML/],
    ['a tab-indented body', replacing('phases:\n  prepare:', 'phases:\n\tprepare:'), /package\.yaml:\d+: not valid YAML/],
    ['a list for the version', replacing('version: "1.0.0"', 'version: [1, 0]'), /package\.yaml:2: "version" must be a string, got a list/],
    ['a string for depends', (text: string) => `${text}depends: other\n`, /package\.yaml:\d+: "depends" must be a list/],
    ['a number for the phases', (text: string) => text.slice(0, text.indexOf('phases:')) + 'phases: 3\n', /"phases" must be a mapping/],
    ['an unknown top-level key', (text: string) => `${text}dependss: []\n`, /unknown key "dependss" \(did you mean "depends"\?\)/],
    ['an unknown phase', replacing('  install:', '  instal:'), /unknown key "instal" \(did you mean "install"\?\)/],
    ['an unknown step argument', replacing('strip: 1', 'strp: 1'), /package\.yaml:\d+: .*"strp".*did you mean "strip"/],
    ['an unknown action', replacing('- extract:', '- extrakt:'), /package\.yaml:\d+: .*"extrakt".*did you mean "extract"/],
    ['a bad sha256', replacing('sha256: ', 'sha256: xyz'), /package\.yaml:\d+: sources\[0\] sha256 must be 64 lowercase hex digits/],
    ['an anchor and alias', replacing('description: test package tool', 'description: &d test\nlicense: *d'), /package\.yaml:4: aliases are not allowed \(\*d\)/],
    ['an empty document', () => '', /package\.yaml:1: package must be a mapping/],
    ['a binary file', () => '\u0000\u0001\u0002\uFFFD\n', /package\.yaml:\d+: /],
  ])('rejects %s with exit 2 and file:line', (_label, edit, message) =>
    withHostileLore(async (lore) => {
      await editManifest(lore, 'tool', edit);
      await expectRejected(lore, () => install(lore, ['tool']), EXIT.usage, message);
    }),
  );

  it.each([
    ['an extract into ../..', replacing('to: .', 'to: ../../../../..'), /extract.*"\.\.\/\.\.\/\.\.\/\.\.\/\.\." is outside the prefix/],
    ['an absolute extract target', replacing('to: .', 'to: /tmp'), /"\/tmp" is outside the prefix/],
    ['a link target escaping through ${prefix}/..', replacing('target: "${prefix}/bin/tool"', 'target: "${prefix}/../outside/sentinel"'), /outside the prefix/],
    ['a link source outside the prefix', replacing('source: bin/tool', 'source: /etc/passwd'), /"\/etc\/passwd" is outside the prefix/],
    ['a copy onto a file outside', replacing(LINK, '- copy: { source: bin/tool, to: "${prefix}/../outside/sentinel" }'), /copy.*"\/.*\/prefix\/\.\.\/outside\/sentinel" is outside the prefix/],
    ['a template read from outside', replacing(LINK, '- render: { template: ../../../../../outside/sentinel, to: etc/x }'), /"\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/outside\/sentinel" is outside the prefix/],
    ['an exec cwd outside', replacing('effects: none }', 'effects: none, cwd: /tmp }'), /"\/tmp" is outside the prefix/],
    ['a write into the prefix root', replacing(LINK, '- write: { to: "${prefix}/evil", content: x }'), /may not be written/],
    ['a download to ../', replacing('download: { to: tool.tar.gz }', 'download: { to: ../../../../../outside/sentinel }'), /"\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/outside\/sentinel" is outside the prefix/],
    ['a declared path leaving the prefix', (text: string) => `${text}paths: [../outside]\n`, /declared path "\.\.\/outside" is outside the prefix/],
  ])('rejects %s at plan time (exit 2), nothing written', (_label, edit, message) =>
    withHostileLore(async (lore) => {
      await editManifest(lore, 'tool', edit);
      await expectRejected(lore, () => install(lore, ['tool']), EXIT.usage, message);
    }),
  );

  it('rejects a manifest that is not UTF-8, naming the line', () =>
    withHostileLore(async (lore) => {
      const file = path.join(lore.registry, 'packages', 'tool', 'package.yaml');
      const bytes = await readFile(file);
      const at = bytes.indexOf('test package tool');
      await writeFile(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xfe]), bytes.subarray(at)]));
      await expectRejected(lore, () => install(lore, ['tool']), EXIT.usage, /package\.yaml:3: not valid UTF-8$/);
    }),
  );

  it('rejects a 50 MB manifest quickly with one line, without reading it all into YAML', () =>
    withHostileLore(async (lore) => {
      await editManifest(lore, 'tool', (text) => `${text}homepage: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
      const started = performance.now();
      await expectRejected(lore, () => install(lore, ['tool']), EXIT.usage, /package\.yaml: file too large \(over 1 MiB\)$/);
      expect(performance.now() - started).toBeLessThan(10_000);
    }),
  );

  it('rejects any truncation of a valid manifest or index with file:line, or plans it (dry run): never a crash', () =>
    withHostileLore(async (lore) => {
      const files = ['packages/tool/package.yaml', 'index.yaml'].map((name) => path.join(lore.registry, name));
      const wholes = await Promise.all(files.map((file) => readFile(file, 'utf8')));
      const cut = fc.nat(files.length - 1).chain((which) => fc.tuple(fc.constant(which), fc.nat((wholes[which]?.length ?? 1) - 1)));
      await fc.assert(
        fc.asyncProperty(cut, async ([which, at]) => {
          await Promise.all(files.map((file, index) => writeFile(file, index === which ? (wholes[index] ?? '').slice(0, at) : (wholes[index] ?? ''))));
          const before = await snapshotDisk(lore);
          const result = await install(lore, ['tool'], ['--dry-run']);
          if (result.code !== EXIT.ok) expectOneLineError(result, EXIT.usage, /(package|index)\.yaml:\d+: /);
          expect(await snapshotDisk(lore)).toEqual(before);
        }),
        { numRuns: 6 },
      );
    }),
  );
});

describe('lore with a broken registry index', () => {
  it.each([
    ['malformed YAML', () => 'packages:\n  tool: {version: "1.0.0"\n', /index\.yaml:\d+: not valid YAML/],
    ['truncated', (text: string) => text.slice(0, text.indexOf('description')), /index\.yaml:\d+: package "tool": missing required key "description"/],
    ['a list for packages', () => 'packages: [tool]\n', /index\.yaml:1: "?packages"? must be a mapping/],
    ['an unknown key', (text: string) => `${text}extra: 1\n`, /index\.yaml:\d+: index: unknown key "extra"/],
    ['an unknown package key', (text: string) => text.replace('    version', '    versoin'), /unknown key "versoin" \(did you mean "version"\?\)/],
    ['a package named ../evil', () => 'packages:\n  ../evil: {version: "1", description: x}\n', /index\.yaml:2: .*"\.\.\/evil"/],
  ])('rejects an index that is %s with exit 2', (_label, edit, message) =>
    withHostileLore(async (lore) => {
      const index = path.join(lore.registry, 'index.yaml');
      await writeFile(index, edit(await readFile(index, 'utf8')));
      await expectRejected(lore, () => install(lore, ['tool']), EXIT.usage, message);
    }),
  );

  it('refuses a manifest whose digest differs from the one the index pins (exit 4)', () =>
    withHostileLore(async (lore) => {
      const index = path.join(lore.registry, 'index.yaml');
      await writeFile(index, (await readFile(index, 'utf8')) + `    digest: "sha256:${'0'.repeat(64)}"\n`);
      await expectRejected(lore, () => install(lore, ['tool']), EXIT.integrity, /package\.yaml has digest sha256:[0-9a-f]{64}, but the registry index says sha256:0{64}/);
    }),
  );
});
