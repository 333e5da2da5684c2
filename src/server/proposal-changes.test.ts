import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { resourceFamilies } from '../../resources/index.js';
import { emitProposalChange } from '../engine/proposals/events.js';
import { catalogOf } from './catalog.js';
import { createServer } from './create-server.js';

/** Proposals change during runs, not only when a tool returns: store events reach the client as list_changed. */
describe('proposal changes', () => {
  it('become one resources/list_changed per burst, and none after the connection closed', async () => {
    const server = createServer({ engine: () => Promise.reject(new Error('no engine needed')), catalog: catalogOf({ operations: [], resources: resourceFamilies }) });
    const client = new Client({ name: 't', version: '0' });
    let changed = 0;
    client.setNotificationHandler('notifications/resources/list_changed', () => void changed++);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(a), client.connect(b)]);

    for (let i = 0; i < 5; i++) emitProposalChange({ dir: '/p', kind: 'updated' });
    await new Promise((r) => setTimeout(r, 200));
    expect(changed).toBe(1);
    emitProposalChange({ dir: '/p', kind: 'finalized' });
    await new Promise((r) => setTimeout(r, 200));
    expect(changed).toBe(2);

    await client.close();
    await server.close();
    emitProposalChange({ dir: '/p', kind: 'created' });
    await new Promise((r) => setTimeout(r, 100));
    expect(changed).toBe(2);
  });
});
