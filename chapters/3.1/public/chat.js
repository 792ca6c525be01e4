// The chat page's script: plain browser JavaScript, no framework, no build step.
// It opens ws://<this host>/chat?nick=…&room=…, shows every event the server sends,
// and sends each line typed as one text frame.

const $ = (id) => document.getElementById(id);
let socket = null;

function setStatus(text) {
  $('status').textContent = text;
}

// textContent, never innerHTML: chat lines come from strangers.
function addLine(kind, text, nick) {
  const item = document.createElement('li');
  item.className = kind;
  if (nick !== undefined) {
    const who = document.createElement('span');
    who.className = 'nick';
    who.textContent = nick;
    item.append(who);
  }
  item.append(document.createTextNode(text));
  $('log').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function show(event) {
  switch (event.type) {
    case 'welcome': {
      const others = event.members.length
        ? `here: ${event.members.join(', ')}`
        : 'nobody else here yet';
      const where = event.server ? ` on ${event.server}` : '';
      addLine('notice', `you joined #${event.room} as ${event.nick}${where} (${others})`);
      setStatus(`connected as ${event.nick} in #${event.room}`);
      break;
    }
    case 'join':
      addLine('notice', `${event.nick} joined (${event.online} online)`);
      break;
    case 'leave':
      addLine('notice', `${event.nick} left: ${event.reason} (${event.online} online)`);
      break;
    case 'message':
      addLine('message', event.text, event.nick);
      break;
    case 'dropped':
      addLine('warning', `you missed ${event.count} messages: this connection was too slow`);
      break;
    case 'notice':
      addLine('warning', event.text);
      break;
    default:
      addLine('warning', `unknown event ${JSON.stringify(event)}`);
  }
}

function joinChat(nick, room) {
  const url = new URL('/chat', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('nick', nick);
  url.searchParams.set('room', room);
  setStatus('connecting…');
  socket = new WebSocket(url);
  socket.addEventListener('open', () => {
    $('join-form').hidden = true;
    $('say-form').hidden = false;
    $('text').focus();
  });
  socket.addEventListener('message', (message) => show(JSON.parse(message.data)));
  socket.addEventListener('close', (close) => {
    setStatus(`disconnected (${close.code}${close.reason ? `: ${close.reason}` : ''})`);
    $('join-form').hidden = false;
    $('say-form').hidden = true;
    socket = null;
  });
}

$('join-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  joinChat($('nick').value, $('room').value);
});

$('say-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const text = $('text').value;
  if (socket && text.trim() !== '') socket.send(text);
  $('text').value = '';
});

$('leave').addEventListener('click', () => socket?.close(1000, 'left the page'));
