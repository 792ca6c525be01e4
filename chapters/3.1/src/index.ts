export { chapter } from './chapter.ts';
export * from './chat/hub.ts';
export * from './chat/messages.ts';
export * from './chat/names.ts';
export * from './course-server.ts';
export * from './frame-dump.ts';
export * from './listen-args.ts';
