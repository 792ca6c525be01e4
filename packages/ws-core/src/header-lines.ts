/**
 * What a header name and value may hold (RFC 9110), shared by the request parser and by
 * everything that writes a head. Application data (a page's headers, a client's extra
 * headers) is checked before it is written: a CR or LF in it would let it write header lines
 * of its own, or end the head early (response splitting, request smuggling).
 */

/** RFC 9110 §5.6.2 token: header names, and WebSocket subprotocol names (RFC 6455 §4.1). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5 field value: visible characters, spaces and tabs only. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `value` may stand in a header: no CR, LF or other control character. */
export function isFieldValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** `Name: value`, or throws the error `makeError` builds, saying which part is wrong. */
export function checkedHeaderLine(
  name: string,
  value: string,
  makeError: (message: string) => Error,
): string {
  if (!TOKEN.test(name)) throw makeError(`invalid http header name ${JSON.stringify(name)}`);
  if (!isFieldValue(value)) {
    throw makeError(`http header ${name} has a control character (CR, LF, …) in its value`);
  }
  return `${name}: ${value}`;
}
