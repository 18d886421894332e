/** Readers of <check> for domain, host and contact (RFC 5731-5733 §3.1.1): the list of names or ids. */
import { NS } from '../namespaces.js';
import { registerReader } from '../read.js';
import { texts } from '../dom.js';

registerReader('domain:check', ({ objectEl }) => ({ check: { ids: texts(objectEl, NS.domain, 'name') } }));
registerReader('host:check', ({ objectEl }) => ({ check: { ids: texts(objectEl, NS.host, 'name') } }));
registerReader('contact:check', ({ objectEl }) => ({ check: { ids: texts(objectEl, NS.contact, 'id') } }));
