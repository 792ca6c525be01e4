import { describe, expect, test } from 'vitest';
import { headingAnchors, slugify } from '../tools/anchors.ts';

describe('heading anchors as GitHub makes them', () => {
  test.each([
    [
      '3.1.1 What WebSocket is for, and what the client sends',
      '311-what-websocket-is-for-and-what-the-client-sends',
    ],
    ['`Sec-WebSocket-Accept` and the GUID', 'sec-websocket-accept-and-the-guid'],
    ['3.2.5 WebSocket + workers', '325-websocket--workers'],
    ['3.1 握手 (handshake)', '31-握手-handshake'],
  ])('slugifies %j as %j', (heading, anchor) => {
    expect(slugify(heading.replace(/`/g, ''))).toBe(anchor);
  });

  test('numbers repeated headings, honours {#id}, and skips code blocks', () => {
    const page = [
      '# Title',
      '## Run it',
      '```sh',
      '# not a heading',
      '```',
      '## Run it',
      '## 中文标题 {#english-anchor}',
    ].join('\n');
    expect(headingAnchors(page)).toEqual(['title', 'run-it', 'run-it-1', 'english-anchor']);
  });

  test('collects the ids of HTML tags outside code, after the headings', () => {
    const page = [
      '# Glossary',
      '| <span id="handshake"></span>handshake | … |',
      '| `<span id="in-code"></span>` | <a id="second" href="#x">x</a> |',
      '```html',
      '<div id="in-a-fence"></div>',
      '```',
      '<div class="glossary" data-id="not-an-id">',
    ].join('\n');
    expect(headingAnchors(page)).toEqual(['glossary', 'handshake', 'second']);
  });
});
