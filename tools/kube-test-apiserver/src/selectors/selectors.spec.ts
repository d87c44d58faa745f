import { matchesLabels, parseLabelSelector } from './labels';
import { matchesFields, parseFieldSelector } from './fields';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'gold', 'example.com/zone': 'a' };
  test.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (web,db)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app=web, tier in ( gold , silver ), example.com/zone', true],
    ['app=web,missing', false],
    ['', true],
  ])('%s -> %s', (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  test.each(['app=', 'app in (', 'app in ()', '=x', 'a b'])('%s is refused with 400 or matches nothing odd', (sel) => {
    if (sel === 'app=') {
      expect(matchesLabels(parseLabelSelector(sel), { app: '' })).toBe(true);
      return;
    }
    expect(() => parseLabelSelector(sel)).toThrow(/unable to parse requirement/);
  });
});

describe('field selectors', () => {
  const get = (f: string) => ({ 'metadata.name': 'x', 'spec.nodeName': 'n1' })[f];
  test.each([
    ['metadata.name=x', true],
    ['metadata.name==x', true],
    ['metadata.name!=x', false],
    ['metadata.name=x,spec.nodeName=n1', true],
    ['spec.nodeName=n2', false],
    ['spec.nodeName=', false],
  ])('%s -> %s', (sel, want) => {
    expect(matchesFields(parseFieldSelector(sel), get)).toBe(want);
  });
});
