/**
 * The Sec-WebSocket-Extensions header (RFC 6455 §9.1), sans-I/O: a header value in, a list of
 * extensions with their parameters out, and back.
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *
 * "When using the quoted-string syntax variant, the value after quoted-string unescaping MUST
 * conform to the 'token' ABNF", so `server_max_window_bits="10"` means the same as `=10`.
 * Whitespace is allowed around the separators (the HTTP list rule). A client may send the
 * header more than once: the lines make one list, in order (RFC 9110 §5.3). Each line is split
 * on its own, so that a quote left open on one line cannot swallow the next.
 *
 * Each element is parsed on its own: one malformed offer does not hide the others, so a server
 * can decline it and still accept the next (RFC 7692 §7: offers are tried in order).
 */
import { TOKEN } from '../header-lines.ts';

/** One extension parameter: a value, or `true` when it has none (`client_max_window_bits`). */
export type ExtensionParamValue = string | true;

/** One element of the list, e.g. `permessage-deflate; client_max_window_bits`. */
export interface ExtensionElement {
  /** The extension token, lower-cased. */
  name: string;
  /** Parameters in order, names lower-cased; a repeated name stays repeated (offers reject it). */
  params: Array<[name: string, value: ExtensionParamValue]>;
}

/** An element that is not `token *( ";" param )`: kept so the caller can name it. */
export interface MalformedElement {
  malformed: string;
  /** Why, in a few words (for a client's error message). */
  reason: string;
}

export type ParsedElement = ExtensionElement | MalformedElement;

export function isMalformed(element: ParsedElement): element is MalformedElement {
  return 'malformed' in element;
}

/**
 * Splits header values (one per header line) into their elements and parses each. Empty
 * elements (`a, , b`) are skipped, as the list rule allows; a malformed one is returned as
 * such, not thrown.
 */
export function parseExtensions(lines: string | readonly string[] | undefined): ParsedElement[] {
  if (lines === undefined) return [];
  return (typeof lines === 'string' ? [lines] : lines)
    .flatMap(splitElements)
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map(parseElement);
}

/** The values of every `name` line of a head, in order (names compared case-insensitively). */
export function headerLines(
  rawHeaders: ReadonlyArray<readonly [name: string, value: string]>,
  name: string,
): string[] {
  return rawHeaders.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
}

/** `name; a; b=1`: the form a header carries, parameters in the order given. */
export function formatExtension(element: ExtensionElement): string {
  const params = element.params.map(([name, value]) =>
    value === true ? name : `${name}=${value}`,
  );
  return [element.name, ...params].join('; ');
}

/** Splits on commas that are not inside a quoted string. */
function splitElements(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (quoted && char === '\\')
      i++; // a quoted-pair: the next character is literal
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

const PARAM = /^([^=\s]+)\s*(?:=\s*(.*))?$/s;
const QUOTED = /^"((?:[^"\\]|\\.)*)"$/s;

function parseElement(text: string): ParsedElement {
  const pieces = splitParams(text);
  if (pieces === undefined) return { malformed: text, reason: 'unterminated quoted string' };
  const [first = '', ...rest] = pieces.map((piece) => piece.trim());
  if (!TOKEN.test(first)) return { malformed: text, reason: `bad extension name ${first}` };
  const params: ExtensionElement['params'] = [];
  for (const piece of rest) {
    const match = PARAM.exec(piece);
    const name = match?.[1] ?? '';
    if (!TOKEN.test(name)) return { malformed: text, reason: `bad parameter ${piece}` };
    const raw = match?.[2];
    if (raw === undefined) {
      params.push([name.toLowerCase(), true]);
      continue;
    }
    const quoted = QUOTED.exec(raw);
    // A quoted value, unescaped, must still be a token (RFC 6455 §9.1).
    const value = quoted ? (quoted[1] ?? '').replace(/\\(.)/gs, '$1') : raw;
    if (!TOKEN.test(value)) return { malformed: text, reason: `bad value in ${piece}` };
    params.push([name.toLowerCase(), value]);
  }
  return { name: first.toLowerCase(), params };
}

/** Splits one element on semicolons outside quotes; undefined if a quote never closes. */
function splitParams(text: string): string[] | undefined {
  const pieces: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (char === ';' && !quoted) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return undefined;
  pieces.push(text.slice(start));
  return pieces;
}
