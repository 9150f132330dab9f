import { describe, expect, it } from 'vitest';
import { Templater, type TemplateError } from '../../../src/playbook/template.js';

const t = new Templater();

describe('templates', () => {
  it('renders strings; a lone expression keeps its type', () => {
    expect(t.render('host {{ name }}.{{ domain }}', { name: 'web1', domain: 'example.org' })).toBe('host web1.example.org');
    expect(t.render('{{ pkgs }}', { pkgs: ['tmux', 'curl'] })).toEqual(['tmux', 'curl']);
    expect(t.render('{{ port }}', { port: 8080 })).toBe(8080);
    expect(t.render('{{ name | upcase }}', { name: 'a' })).toBe('A');
    expect(t.render('no template', {})).toBe('no template');
  });

  it('an undefined variable is an error that names it, never an empty string', () => {
    expect(() => t.render('x {{ nope }} y', {})).toThrow("undefined variable 'nope'");
    expect(() => t.render('{{ a.b }}', { a: {} })).toThrow("undefined variable 'a.b'");
    try {
      t.render('{{ missing }}', {});
    } catch (e) {
      expect((e as TemplateError).variable).toBe('missing');
    }
  });

  it('default and if may test an undefined variable', () => {
    expect(t.render('{{ port | default: 22 }}', {})).toBe(22);
    expect(t.render('{% if extra %}{{ extra }}{% else %}none{% endif %}', {})).toBe('none');
  });

  it('unknown filters are errors', () => {
    expect(() => t.render('{{ a | nosuch }}', { a: 1 })).toThrow("unknown filter 'nosuch'");
  });

  it('conditions: expressions or templates', () => {
    expect(t.condition('release == "14.2"', { release: '14.2' })).toBe(true);
    expect(t.condition('r.rc != 0 or force', { r: { rc: 0 }, force: false })).toBe(false);
    expect(t.condition('{{ flag }}', { flag: 'false' })).toBe(false);
    expect(t.condition(true, {})).toBe(true);
    expect(() => t.condition('undefined_thing.x == 1', {})).toThrow("undefined variable 'undefined_thing'");
    expect(t.condition('extra_disks', {})).toBe(false);
    expect(t.condition('group_names contains "web"', { group_names: ['web'] })).toBe(true);
  });

  it('lists the variables a template reads', () => {
    expect(t.variables('{{ a.b }} {% for i in list %}{{ i }}{% endfor %} {{ c | default: d }}').sort()).toEqual(['a', 'c', 'd', 'list']);
    expect(t.conditionVariables('x.rc == 0 and y')).toEqual(['x', 'y']);
  });

  it('renders template files with line numbers in errors', () => {
    expect(t.renderText('a\n{{ x }}\n', { x: 1 })).toBe('a\n1\n');
    try {
      t.renderText('line one\nline two {{ oops }}\n', {});
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toMatchObject({ message: "undefined variable 'oops'", line: 2 });
    }
  });
});
