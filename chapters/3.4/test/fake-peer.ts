/** Test-only: a chat member without a socket, recording what the hub sends it. */
import type { ChatPeer } from '@course/chapter-3.1/chat/hub';
import { type ChatEvent, decodeChatEvent } from '@course/chapter-3.1/chat/messages';

export class FakePeer implements ChatPeer {
  readyState: 'open' | 'closing' | 'closed' = 'open';
  bufferedAmount = 0;
  readonly sent: ChatEvent[] = [];
  closedWith: { code?: number; reason?: string } | undefined;

  send(text: string): void {
    this.sent.push(decodeChatEvent(text));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 'closing';
  }

  messages(): string[] {
    return this.sent.flatMap((e) => (e.type === 'message' ? [e.text] : []));
  }

  notices(): string[] {
    return this.sent.flatMap((e) => (e.type === 'notice' ? [e.text] : []));
  }
}
