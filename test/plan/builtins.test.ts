import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../src/actions/index.js';
import { Plan } from '../../src/plan/index.js';

describe('Plan against the built-in registry', () => {
  it('builds a valid graph using every method', () => {
    const plan = new Plan(createDefaultRegistry(), { tool: 'writ', timestamp: '2026-01-31T12:00:00.000Z' });
    plan.phase('files');
    plan.mkdir('/h/.config', { mode: '0755' });
    plan.link('/r/bashrc', '/h/.bashrc', { onConflict: 'backup' });
    plan.copy('/r/gitconfig', '/h/.gitconfig');
    plan.write('/h/.hushlogin', '');
    const secret = plan.decrypt('/r/netrc.age', { identity: '/h/key.txt' });
    const text = plan.render(secret, { variables: { user: 'kim' } });
    plan.copy(text, '/h/.netrc', { mode: '0600' });
    plan.render('/r/t.hbs');
    plan.remove('/h/old');
    plan.unlink('/h/.vimrc');
    plan.backup('/h/.zshrc');
    plan.move('/h/a', '/h/b');
    plan.phase('tools');
    const tarball = plan.download('https://x.test/t.tgz', '/tmp/t.tgz', { sha256: 'ab'.repeat(32), timeout: '30s' });
    plan.extract(tarball.field('path'), '/opt/t', { strip: 1 });
    plan.exec(['git', 'init'], { cwd: '/w', creates: ['/w/.git'], undo: ['rm', '-rf', '/w/.git'] });
    plan.install('apt', ['jq']);
    plan.uninstall('apt', ['nano']);
    plan.gather(['a', 'b'], (body, item) => body.mkdir(item), { limit: 2 });
    plan.choose('linux', [{ when: { equals: 'linux' }, then: (p) => p.exec('true') }], { else: (p) => p.exec('false') });
    const graph = plan.graph();
    expect(graph.nodes).toHaveLength(22);
    expect(graph.phases?.map((phase) => phase.id)).toEqual([
      'phase.files',
      'phase.tools',
      'gather:a,b.body',
      'choose:linux.branch1',
      'choose:linux.else',
    ]);
  });
});
