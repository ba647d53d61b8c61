import type { Server } from 'node:http';
export function startGate(opts: { backend: string; dist: string; idleMs?: number }): Promise<{ server: Server; url: string }>;
