/**
 * What the chat server says to its clients: one JSON object per text frame.
 * Clients say only one thing — a text frame is a line of chat — so there is no client schema.
 */

export type ChatEvent =
  /** Sent once to a newcomer: the name it got (maybe de-duplicated) and who is already here. */
  | { type: 'welcome'; nick: string; room: string; members: string[] }
  | { type: 'join'; nick: string; online: number }
  | { type: 'leave'; nick: string; online: number; reason: string }
  | { type: 'message'; nick: string; text: string }
  /** Sent to a slow client when it catches up: how many broadcasts it missed. */
  | { type: 'dropped'; count: number };

export function encodeChatEvent(event: ChatEvent): string {
  return JSON.stringify(event);
}

/** For tests and tools: parses a frame the server sent, or throws on anything else. */
export function decodeChatEvent(text: string): ChatEvent {
  const value: unknown = JSON.parse(text);
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { type?: unknown }).type !== 'string'
  )
    throw new Error(`not a chat event: ${text.slice(0, 80)}`);
  return value as ChatEvent;
}
