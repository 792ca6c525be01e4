// The frame inspector's script: plain browser JavaScript, no framework, no build step.
// Two WebSocket connections to the server that served this page:
//   /report      the server sends a JSON description of every frame it saw on /lab
//   /lab?id=…    the connection you send on; the server echoes each message back
// Everything is drawn with textContent, never innerHTML.

const $ = (id) => document.getElementById(id);
/** Frames and notes kept on the page; older ones go, so a long session stays fast. */
const MAX_ITEMS = 120;

let report = null;
let lab = null;
let inspectorId = null;
let limits = { maxMessage: 1024 * 1024, maxFragments: 16 };
/** A message waiting for the server to confirm the reply's fragment count. */
let pending = null;
/** The message being followed: counts its frames both ways. */
let exchange = null;

function wsUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

function setStatus(text) {
  $('status').textContent = text;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function bytesText(n) {
  return `${n.toLocaleString('en')} B`;
}

function hex(byte) {
  return byte.toString(16).padStart(2, '0');
}

function bits(byte) {
  return byte.toString(2).padStart(8, '0');
}

function addItem(item) {
  const list = $('frames');
  list.append(item);
  while (list.children.length > MAX_ITEMS) list.firstElementChild.remove();
  item.scrollIntoView({ block: 'nearest' });
}

// ---- the header, bit by bit ----

/** Which field a header bit belongs to (RFC 6455 §5.2), for its colour. */
function fieldOfBit(byteIndex, bit, lengthForm) {
  if (byteIndex === 0) return bit === 0 ? 'fin' : bit < 4 ? 'rsv' : 'opcode';
  if (byteIndex === 1) return bit === 0 ? 'mask' : 'len';
  const lengthBytes = lengthForm === 16 ? 2 : lengthForm === 64 ? 8 : 0;
  return byteIndex < 2 + lengthBytes ? 'extlen' : 'key';
}

const FIELD_CLASSES = {
  FIN: 'fin',
  RSV1: 'rsv',
  RSV2: 'rsv',
  RSV3: 'rsv',
  opcode: 'opcode',
  MASK: 'mask',
  'payload len': 'len',
  'masking key': 'key',
};

function headerStrip(frame) {
  const strip = el('div', 'strip');
  strip.title = 'the header as sent, one box per bit';
  frame.header.split(' ').forEach((byteHex, byteIndex) => {
    const group = el('span', 'byte');
    group.title = `byte ${byteIndex}: 0x${byteHex}`;
    const byteBits = bits(Number.parseInt(byteHex, 16));
    for (let bit = 0; bit < 8; bit++) {
      group.append(el('span', `f-${fieldOfBit(byteIndex, bit, frame.lengthForm)}`, byteBits[bit]));
    }
    strip.append(group);
  });
  return strip;
}

function fieldsTable(frame) {
  const table = el('table', 'fields');
  const head = table.createTHead().insertRow();
  for (const name of ['field', 'where', 'bits', 'value', 'meaning']) {
    head.append(el('th', '', name));
  }
  const body = table.createTBody();
  for (const field of frame.fields) {
    const row = body.insertRow();
    const cls = FIELD_CLASSES[field.name] ?? (field.name.startsWith('extended') ? 'extlen' : '');
    row.append(
      el('td', cls ? `f-${cls}` : '', field.name),
      el('td', '', field.at),
      el('td', 'bits', field.bits),
      el('td', '', field.value),
      el('td', '', field.note),
    );
  }
  return table;
}

// ---- the payload, byte by byte ----

function printable(byte) {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '·';
}

/** Payload bytes drawn per table; the tables wrap side by side on a wide screen. */
const BYTES_PER_TABLE = 8;

function payloadTable(frame, bytes) {
  const table = el('table');
  const rows =
    frame.mask === 1
      ? [
          ['offset', (b) => [String(b.offset)]],
          ['on the wire', (b) => [hex(b.wire), bits(b.wire)]],
          ['⊕ key byte', (b) => [hex(b.key), bits(b.key)]],
          ['= unmasked', (b) => [hex(b.clear), bits(b.clear)]],
          ['as ASCII', (b) => [printable(b.clear)]],
        ]
      : [
          ['offset', (b) => [String(b.offset)]],
          ['on the wire', (b) => [hex(b.wire), bits(b.wire)]],
          ['as ASCII', (b) => [printable(b.wire)]],
        ];
  for (const [label, show] of rows) {
    const row = table.insertRow();
    row.append(el('th', '', label));
    for (const b of bytes) {
      const td = el('td');
      show(b).forEach((line, i) => {
        td.append(el('div', i === 1 ? 'bits' : '', line));
      });
      row.append(td);
    }
  }
  return table;
}

/** The payload's first bytes, the count elided, its last bytes. */
function payloadView(frame) {
  const { head, elided, tail } = frame.payload;
  const view = el('div', 'bytes');
  for (let i = 0; i < head.length; i += BYTES_PER_TABLE) {
    view.append(payloadTable(frame, head.slice(i, i + BYTES_PER_TABLE)));
  }
  if (elided > 0) view.append(el('p', 'elided', `… ${bytesText(elided)} not shown …`));
  if (tail.length > 0) view.append(payloadTable(frame, tail));
  return view;
}

// ---- one frame ----

function summaryOf(frame) {
  const form = `${frame.lengthForm}-bit length`;
  return `${frame.opcodeName} · ${bytesText(frame.payloadLength)} · FIN = ${frame.fin} · MASK = ${frame.mask} · ${form}`;
}

function addFrame(from, labNumber, frame) {
  const item = el('li', `frame ${from}`);
  Object.assign(item.dataset, {
    from,
    lab: String(labNumber),
    opcode: frame.opcodeName,
    fin: String(frame.fin),
    mask: String(frame.mask),
    lengthForm: String(frame.lengthForm),
    payloadLength: String(frame.payloadLength),
  });
  const who = from === 'client' ? 'browser → server' : 'server → browser';
  item.append(el('h3', '', `${who} · ${summaryOf(frame)}`));
  item.append(headerStrip(frame));
  item.append(
    el(
      'p',
      'note',
      `header: ${frame.headerLength} bytes (${frame.header}); payload: ${bytesText(frame.payloadLength)} from byte ${frame.headerLength}`,
    ),
  );
  item.append(fieldsTable(frame));
  if (frame.payloadLength > 0) item.append(payloadView(frame));
  if (frame.close) {
    const { code, reason } = frame.close;
    const text =
      code === null
        ? 'close frame without a code (the receiver reports 1005)'
        : `close code ${code}${reason ? `, reason "${reason}"` : ''}`;
    item.append(el('p', 'payload-text close', text));
  } else if (frame.text !== undefined) {
    item.append(el('p', 'payload-text', `as text: "${frame.text}"`));
  }
  addItem(item);
  countFrame(from, frame);
}

function countFrame(from, frame) {
  if (!exchange || frame.control) return;
  exchange[from]++;
  exchange.line.textContent = `${exchange.label} — the browser sent it as ${exchange.client} frame(s); the server replied in ${exchange.server}`;
}

// ---- what to send ----

/** `size` bytes of UTF-8 built from `text`, never cutting a character (padding with "."). */
function textOfSize(text, size) {
  const unit = text === '' ? '.' : text;
  const unitBytes = new TextEncoder().encode(unit).length;
  const bytes = new TextEncoder().encode(unit.repeat(Math.ceil(size / unitBytes) + 1));
  let cut = size;
  // Step back over continuation bytes (10xxxxxx) so the cut falls between characters.
  while (cut > 0 && cut < bytes.length && (bytes[cut] & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.subarray(0, cut)) + '.'.repeat(size - cut);
}

function bytesOfSize(text, size) {
  const source = new TextEncoder().encode(text);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = source.length > 0 ? source[i % source.length] : i & 0xff;
  return out;
}

function buildMessage() {
  const text = $('text').value;
  const kind = document.querySelector('input[name="kind"]:checked').value;
  const sizeField = $('size').value.trim();
  const size = sizeField === '' ? null : Number(sizeField);
  if (size !== null && (!Number.isInteger(size) || size < 0 || size > limits.maxMessage)) {
    throw new Error(`size must be a whole number from 0 to ${limits.maxMessage}`);
  }
  if (kind === 'text') {
    const data = size === null ? text : textOfSize(text, size);
    return { data, kind, length: new TextEncoder().encode(data).length };
  }
  const data = bytesOfSize(text, size ?? new TextEncoder().encode(text).length);
  return { data, kind, length: data.length };
}

function sendNow(message) {
  const label = `you sent a ${bytesText(message.length)} ${message.kind} message`;
  const line = el('li', 'message', label);
  addItem(line);
  exchange = { label, line, client: 0, server: 0 };
  lab.send(message.data);
}

// ---- the two connections ----

/** An HTTP head, one line per line, each with its CR LF made visible. */
function showHead(pre, text) {
  pre.replaceChildren();
  for (const line of text.split('\r\n').slice(0, -1)) {
    pre.append(line, el('span', 'crlf', '\\r\\n'), '\n');
  }
}

function show(event) {
  switch (event.type) {
    case 'hello':
      inspectorId = event.id;
      limits = event;
      $('size').max = String(event.maxMessage);
      $('fragments').max = String(event.maxFragments);
      openLab();
      break;
    case 'reply-set':
      if (pending && lab?.readyState === WebSocket.OPEN) sendNow(pending);
      pending = null;
      break;
    case 'handshake': {
      const target = event.side === 'request' ? 'handshake-request' : 'handshake-response';
      showHead($(target), event.text);
      break;
    }
    case 'frame':
      addFrame(event.from, event.lab, event.frame);
      break;
    case 'unreadable':
      addItem(el('li', 'warning', `the ${event.from}'s bytes could not be read: ${event.message}`));
      break;
    case 'dropped':
      $('dropped').hidden = false;
      $('dropped').textContent = `${event.count} reports were dropped: the page fell behind`;
      break;
    case 'notice':
      setStatus(event.text);
      break;
    default:
      setStatus(`unknown report ${JSON.stringify(event)}`);
  }
}

function openReport() {
  report = new WebSocket(wsUrl('/report'));
  report.addEventListener('message', (message) => show(JSON.parse(message.data)));
  report.addEventListener('close', (close) => {
    setStatus(`the server went away (${close.code}${close.reason ? `: ${close.reason}` : ''})`);
    $('reconnect').hidden = true;
  });
}

function openLab() {
  const url = wsUrl('/lab');
  url.searchParams.set('id', inspectorId);
  lab = new WebSocket(url);
  lab.binaryType = 'arraybuffer';
  setStatus('connecting the lab connection…');
  lab.addEventListener('open', () => {
    setStatus('connected: send a message');
    $('reconnect').hidden = true;
  });
  lab.addEventListener('message', (message) => {
    const size =
      typeof message.data === 'string'
        ? new TextEncoder().encode(message.data).length
        : message.data.byteLength;
    const kind = typeof message.data === 'string' ? 'text' : 'binary';
    addItem(
      el('li', 'note received', `the page's onmessage got one ${bytesText(size)} ${kind} message`),
    );
  });
  lab.addEventListener('close', (close) => {
    const reason = close.reason ? `, reason "${close.reason}"` : '';
    const text = `lab connection closed: code ${close.code}${reason}`;
    addItem(el('li', 'note closed', `the page's onclose: code ${close.code}${reason}`));
    setStatus(text);
    exchange = null;
    if (report?.readyState === WebSocket.OPEN) $('reconnect').hidden = false;
  });
}

function labIsOpen() {
  if (lab?.readyState === WebSocket.OPEN) return true;
  setStatus('the lab connection is not open: press Reconnect');
  return false;
}

$('send-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  if (!labIsOpen()) return;
  let message;
  try {
    message = buildMessage();
  } catch (error) {
    setStatus(error.message);
    return;
  }
  const fragments = Math.min(Math.max(1, Number($('fragments').value) || 1), limits.maxFragments);
  // The fragment count goes first, on /report; the message follows once the server has it.
  pending = message;
  report.send(JSON.stringify({ type: 'reply', fragments }));
});

for (const preset of document.querySelectorAll('.presets button')) {
  preset.addEventListener('click', () => {
    $('size').value = preset.dataset.size;
  });
}

$('ping').addEventListener('click', () => {
  if (!labIsOpen()) return;
  exchange = null;
  addItem(el('li', 'message', 'you asked the server to ping this page'));
  report.send(JSON.stringify({ type: 'ping' }));
});

$('close').addEventListener('click', () => {
  if (!labIsOpen()) return;
  const code = Number($('close-code').value);
  const reason = $('close-reason').value;
  // What close() accepts from a page (the WebSocket standard); the rest are for endpoints.
  if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    setStatus('a page may only close with 1000 or 3000–4999');
    return;
  }
  if (new TextEncoder().encode(reason).length > 123) {
    setStatus('the reason must fit in 123 bytes of UTF-8');
    return;
  }
  exchange = null;
  addItem(el('li', 'message', `you closed with code ${code}, reason "${reason}"`));
  lab.close(code, reason);
});

$('reconnect').addEventListener('click', () => {
  if (report?.readyState === WebSocket.OPEN && inspectorId) openLab();
});

$('clear').addEventListener('click', () => {
  $('frames').replaceChildren();
  exchange = null;
});

openReport();
