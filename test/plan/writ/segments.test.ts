import { describe, expect, it } from 'vitest';
import { detectSegments, distroFromOsRelease, parseSegmentFlag } from '../../../src/plan/index.js';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12"\nNAME="Debian GNU/Linux"\nID=debian\n';

describe('detectSegments', () => {
  it.each([
    ['linux', 'x64', DEBIAN, { OS: 'Linux', FAMILY: 'Unix', DISTRO: 'Debian', ARCH: 'amd64' }],
    ['linux', 'arm64', 'ID="ubuntu"\n', { OS: 'Linux', FAMILY: 'Unix', DISTRO: 'Ubuntu', ARCH: 'arm64' }],
    ['linux', 'x64', 'ID=rhel\n', { OS: 'Linux', FAMILY: 'Unix', DISTRO: 'RHEL', ARCH: 'amd64' }],
    ['linux', 'x64', undefined, { OS: 'Linux', FAMILY: 'Unix', ARCH: 'amd64' }],
    ['darwin', 'arm64', DEBIAN, { OS: 'Darwin', FAMILY: 'Unix', ARCH: 'arm64' }],
    ['win32', 'x64', undefined, { OS: 'Windows', ARCH: 'amd64' }],
  ])('maps platform %s / arch %s to the segments', (platform, arch, osRelease, expected) => {
    const segments = detectSegments({ platform, arch, readOsRelease: () => osRelease, env: {} });
    expect(segments).toEqual(expected);
  });

  it('detects this machine by default', () => {
    const segments = detectSegments({ env: {} });
    const os = { linux: 'Linux', darwin: 'Darwin', win32: 'Windows' }[process.platform as string];
    expect(segments['OS']).toBe(os);
    expect(segments['ARCH']).toBe({ x64: 'amd64', arm64: 'arm64' }[process.arch as string]);
  });

  it('reads os-release only on Linux', () => {
    let reads = 0;
    detectSegments({ platform: 'darwin', arch: 'arm64', readOsRelease: () => `ID=${String((reads += 1))}`, env: {} });
    expect(reads).toBe(0);
  });

  it('lets flags beat the environment, which beats detection', () => {
    const segments = detectSegments({
      platform: 'linux',
      arch: 'x64',
      readOsRelease: () => DEBIAN,
      env: { WRIT_SEGMENT_DISTRO: 'Ubuntu', WRIT_SEGMENT_ARCH: 'arm64', OTHER: 'x' },
      overrides: { ARCH: 'riscv64', HOST: 'laptop' },
    });
    expect(segments).toEqual({ OS: 'Linux', FAMILY: 'Unix', DISTRO: 'Ubuntu', ARCH: 'riscv64', HOST: 'laptop' });
  });

  it('derives FAMILY from an overridden OS unless FAMILY is overridden too', () => {
    const base = { platform: 'linux', arch: 'x64', readOsRelease: () => DEBIAN, env: {} };
    expect(detectSegments({ ...base, overrides: { OS: 'Windows' } })['FAMILY']).toBeUndefined();
    expect(detectSegments({ ...base, overrides: { OS: 'Windows', FAMILY: 'Posixish' } })['FAMILY']).toBe('Posixish');
  });

  it('removes a segment given an empty value', () => {
    const segments = detectSegments({ platform: 'linux', arch: 'x64', readOsRelease: () => DEBIAN, env: {}, overrides: { DISTRO: '' } });
    expect(segments).not.toHaveProperty('DISTRO');
  });

  it.each([
    [{ 'bad name': 'x' }, /name "bad name"/],
    [{ GPU: 'nvidia.rtx' }, /no directory suffix can match/],
  ])('rejects the override %j', (overrides, message) => {
    expect(() => detectSegments({ platform: 'linux', arch: 'x64', readOsRelease: () => '', env: {}, overrides })).toThrow(message);
  });

  it('rejects a malformed WRIT_SEGMENT_ variable', () => {
    expect(() => detectSegments({ platform: 'linux', arch: 'x64', readOsRelease: () => '', env: { 'WRIT_SEGMENT_X.Y': 'a' } })).toThrow(
      /WRIT_SEGMENT_/,
    );
  });
});

describe('distroFromOsRelease', () => {
  it.each([
    ['ID=debian', 'Debian'],
    ['ID="fedora"', 'Fedora'],
    ["ID='centos'", 'CentOS'],
    ['ID=opensuse-leap', 'OpenSUSE'],
    ['ID=arch', 'Arch'],
    ['ID=alpine', 'Alpine'],
    ['NAME=x\nVERSION_ID=3', undefined],
    ['ID=', undefined],
  ])('reads %j as %s', (text, expected) => {
    expect(distroFromOsRelease(text)).toBe(expected);
  });
});

describe('parseSegmentFlag', () => {
  it('splits NAME=VALUE at the first "="', () => {
    expect(parseSegmentFlag('GPU=nvidia')).toEqual({ name: 'GPU', value: 'nvidia' });
    expect(parseSegmentFlag('DISTRO=')).toEqual({ name: 'DISTRO', value: '' });
  });

  it.each(['GPU', '=nvidia'])('rejects %j', (text) => {
    expect(() => parseSegmentFlag(text)).toThrow(/NAME=VALUE/);
  });
});
