/**
 * The EPP schemas in src/xml/xsd (RFC 5730-5733, 3915, 5910, 8748) compile with libxml2 and
 * accept the RFCs' own example instances, and reject documents that break their constraints.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';

const xsdDir = fileURLToPath(new URL('../../src/xml/xsd/', import.meta.url));

function compile(file: string): XsdValidator {
  const path = join(xsdDir, file);
  const schemaDoc = XmlDocument.fromBuffer(readFileSync(path), { url: path });
  try {
    return XsdValidator.fromDoc(schemaDoc);
  } finally {
    schemaDoc.dispose();
  }
}

let validator: XsdValidator;

/** The schema errors of a document ([] when it is valid). */
function errors(xml: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
    return [];
  } catch (err) {
    const details = (err as { details?: { message: string; line?: number }[] }).details;
    if (!details) throw err;
    return details.map((d) => `line ${d.line}: ${d.message.trim()}`);
  } finally {
    doc.dispose();
  }
}

beforeAll(() => {
  xmlRegisterFsInputProviders();
  validator = compile('all.xsd');
});

afterAll(() => {
  validator?.dispose();
});

const EPP = 'xmlns="urn:ietf:params:xml:ns:epp-1.0"';
const DOMAIN = 'xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"';
const HOST = 'xmlns:host="urn:ietf:params:xml:ns:host-1.0"';
const CONTACT = 'xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"';
const RGP = 'xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"';
const SECDNS = 'xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1"';
const FEE = 'xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"';

const TRID = `
    <trID>
      <clTRID>ABC-12345</clTRID>
      <svTRID>54322-XYZ</svTRID>
    </trID>`;
const OK = `
    <result code="1000">
      <msg>Command completed successfully</msg>
    </result>`;

// ---------------------------------------------------------------------------------------------
// RFC 5730: the protocol itself.

const rfc5730: Record<string, string> = {
  greeting: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <greeting>
    <svID>Example EPP server epp.example.com</svID>
    <svDate>2000-06-08T22:00:00.0Z</svDate>
    <svcMenu>
      <version>1.0</version>
      <lang>en</lang>
      <lang>fr</lang>
      <objURI>urn:ietf:params:xml:ns:obj1</objURI>
      <objURI>urn:ietf:params:xml:ns:obj2</objURI>
      <objURI>urn:ietf:params:xml:ns:obj3</objURI>
      <svcExtension>
        <extURI>http://custom/obj1ext-1.0</extURI>
      </svcExtension>
    </svcMenu>
    <dcp>
      <access><all/></access>
      <statement>
        <purpose><admin/><prov/></purpose>
        <recipient><ours/><public/></recipient>
        <retention><stated/></retention>
      </statement>
    </dcp>
  </greeting>
</epp>`,

  hello: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <hello/>
</epp>`,

  login: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <login>
      <clID>ClientX</clID>
      <pw>foo-BAR2</pw>
      <newPW>bar-FOO2</newPW>
      <options>
        <version>1.0</version>
        <lang>en</lang>
      </options>
      <svcs>
        <objURI>urn:ietf:params:xml:ns:obj1</objURI>
        <objURI>urn:ietf:params:xml:ns:obj2</objURI>
        <objURI>urn:ietf:params:xml:ns:obj3</objURI>
        <svcExtension>
          <extURI>http://custom/obj1ext-1.0</extURI>
        </svcExtension>
      </svcs>
    </login>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'login response': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}${TRID}
  </response>
</epp>`,

  logout: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <logout/>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'logout response': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>
    <result code="1500">
      <msg>Command completed successfully; ending session</msg>
    </result>${TRID}
  </response>
</epp>`,

  'poll req': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <poll op="req"/>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'poll ack': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <poll op="ack" msgID="12345"/>
    <clTRID>ABC-12346</clTRID>
  </command>
</epp>`,

  'poll response with msgQ and resData': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>
    <result code="1301">
      <msg>Command completed successfully; ack to dequeue</msg>
    </result>
    <msgQ count="5" id="12345">
      <qDate>2000-06-08T22:00:00.0Z</qDate>
      <msg>Transfer requested.</msg>
    </msgQ>
    <resData>
      <domain:trnData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:trStatus>pending</domain:trStatus>
        <domain:reID>ClientX</domain:reID>
        <domain:reDate>2000-06-08T22:00:00.0Z</domain:reDate>
        <domain:acID>ClientY</domain:acID>
        <domain:acDate>2000-06-13T22:00:00.0Z</domain:acDate>
        <domain:exDate>2002-09-08T22:00:00.0Z</domain:exDate>
      </domain:trnData>
    </resData>${TRID}
  </response>
</epp>`,

  'poll ack response': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <msgQ count="4" id="12345"/>
    <trID>
      <clTRID>ABC-12346</clTRID>
      <svTRID>54322-XYZ</svTRID>
    </trID>
  </response>
</epp>`,

  'poll response, empty queue': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>
    <result code="1300">
      <msg>Command completed successfully; no messages</msg>
    </result>${TRID}
  </response>
</epp>`,

  'error response with value and extValue': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>
    <result code="2004">
      <msg>Parameter value range error</msg>
      <value xmlns:obj="urn:ietf:params:xml:ns:obj">
        <obj:elem1>2525</obj:elem1>
      </value>
    </result>
    <result code="2005">
      <msg>Parameter value syntax error</msg>
      <value xmlns:obj="urn:ietf:params:xml:ns:obj">
        <obj:elem2>ex(ample</obj:elem2>
      </value>
      <extValue>
        <value xmlns:obj="urn:ietf:params:xml:ns:obj">
          <obj:elem3>abc.ex(ample</obj:elem3>
        </value>
        <reason>Invalid character found.</reason>
      </extValue>
    </result>${TRID}
  </response>
</epp>`,
};

// ---------------------------------------------------------------------------------------------
// RFC 5731: domain names.

const rfc5731: Record<string, string> = {
  check: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <check>
      <domain:check ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:name>example.net</domain:name>
        <domain:name>example.org</domain:name>
      </domain:check>
    </check>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  chkData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:chkData ${DOMAIN}>
        <domain:cd>
          <domain:name avail="1">example.com</domain:name>
        </domain:cd>
        <domain:cd>
          <domain:name avail="0">example.net</domain:name>
          <domain:reason>In use</domain:reason>
        </domain:cd>
        <domain:cd>
          <domain:name avail="1">example.org</domain:name>
        </domain:cd>
      </domain:chkData>
    </resData>${TRID}
  </response>
</epp>`,

  info: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <info>
      <domain:info ${DOMAIN}>
        <domain:name hosts="all">example.com</domain:name>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:info>
    </info>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  infData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:infData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:roid>EXAMPLE1-REP</domain:roid>
        <domain:status s="ok"/>
        <domain:registrant>jd1234</domain:registrant>
        <domain:contact type="admin">sh8013</domain:contact>
        <domain:contact type="tech">sh8013</domain:contact>
        <domain:ns>
          <domain:hostObj>ns1.example.com</domain:hostObj>
          <domain:hostObj>ns1.example.net</domain:hostObj>
        </domain:ns>
        <domain:host>ns1.example.com</domain:host>
        <domain:host>ns2.example.com</domain:host>
        <domain:clID>ClientX</domain:clID>
        <domain:crID>ClientY</domain:crID>
        <domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>
        <domain:upID>ClientX</domain:upID>
        <domain:upDate>1999-12-03T09:00:00.0Z</domain:upDate>
        <domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>
        <domain:trDate>2000-04-08T09:00:00.0Z</domain:trDate>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:infData>
    </resData>${TRID}
  </response>
</epp>`,

  'infData, unauthorized client (minimal)': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:infData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:roid>EXAMPLE1-REP</domain:roid>
        <domain:clID>ClientX</domain:clID>
      </domain:infData>
    </resData>${TRID}
  </response>
</epp>`,

  'create with hostObj and contacts': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <domain:create ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:period unit="y">2</domain:period>
        <domain:ns>
          <domain:hostObj>ns1.example.net</domain:hostObj>
          <domain:hostObj>ns2.example.net</domain:hostObj>
        </domain:ns>
        <domain:registrant>jd1234</domain:registrant>
        <domain:contact type="admin">sh8013</domain:contact>
        <domain:contact type="tech">sh8013</domain:contact>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:create>
    </create>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'create with hostAttr': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <domain:create ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:ns>
          <domain:hostAttr>
            <domain:hostName>ns1.example.com</domain:hostName>
            <domain:hostAddr ip="v4">192.0.2.2</domain:hostAddr>
            <domain:hostAddr ip="v6">1080:0:0:0:8:800:200C:417A</domain:hostAddr>
          </domain:hostAttr>
          <domain:hostAttr>
            <domain:hostName>ns2.example.net</domain:hostName>
          </domain:hostAttr>
        </domain:ns>
        <domain:authInfo>
          <domain:pw roid="JD1234-REP">2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:create>
    </create>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  creData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:creData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>
        <domain:exDate>2001-04-03T22:00:00.0Z</domain:exDate>
      </domain:creData>
    </resData>${TRID}
  </response>
</epp>`,

  'update (add/rem/chg)': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <domain:update ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:add>
          <domain:ns>
            <domain:hostObj>ns2.example.com</domain:hostObj>
          </domain:ns>
          <domain:contact type="tech">mak21</domain:contact>
          <domain:status s="clientHold" lang="en">Payment overdue.</domain:status>
        </domain:add>
        <domain:rem>
          <domain:ns>
            <domain:hostObj>ns1.example.com</domain:hostObj>
          </domain:ns>
          <domain:contact type="tech">sh8013</domain:contact>
          <domain:status s="clientUpdateProhibited"/>
        </domain:rem>
        <domain:chg>
          <domain:registrant>sh8013</domain:registrant>
          <domain:authInfo>
            <domain:pw>2BARfoo</domain:pw>
          </domain:authInfo>
        </domain:chg>
      </domain:update>
    </update>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'update clearing registrant and authInfo': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <domain:update ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:chg>
          <domain:registrant/>
          <domain:authInfo>
            <domain:null/>
          </domain:authInfo>
        </domain:chg>
      </domain:update>
    </update>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  delete: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <delete>
      <domain:delete ${DOMAIN}>
        <domain:name>example.com</domain:name>
      </domain:delete>
    </delete>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  renew: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <renew>
      <domain:renew ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:curExpDate>2000-04-03</domain:curExpDate>
        <domain:period unit="y">5</domain:period>
      </domain:renew>
    </renew>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  renData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:renData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>
      </domain:renData>
    </resData>${TRID}
  </response>
</epp>`,

  'transfer request': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <transfer op="request">
      <domain:transfer ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:period unit="y">1</domain:period>
        <domain:authInfo>
          <domain:pw roid="JD1234-REP">2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:transfer>
    </transfer>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'transfer query': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <transfer op="query">
      <domain:transfer ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:authInfo>
          <domain:pw roid="JD1234-REP">2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:transfer>
    </transfer>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  trnData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>
    <result code="1001">
      <msg>Command completed successfully; action pending</msg>
    </result>
    <resData>
      <domain:trnData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:trStatus>pending</domain:trStatus>
        <domain:reID>ClientX</domain:reID>
        <domain:reDate>2000-06-08T22:00:00.0Z</domain:reDate>
        <domain:acID>ClientY</domain:acID>
        <domain:acDate>2000-06-13T22:00:00.0Z</domain:acDate>
        <domain:exDate>2002-09-08T22:00:00.0Z</domain:exDate>
      </domain:trnData>
    </resData>${TRID}
  </response>
</epp>`,

  'panData (poll)': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>
    <result code="1301">
      <msg>Command completed successfully; ack to dequeue</msg>
    </result>
    <msgQ count="5" id="12345">
      <qDate>1999-04-04T22:01:00.0Z</qDate>
      <msg>Pending action completed successfully.</msg>
    </msgQ>
    <resData>
      <domain:panData ${DOMAIN}>
        <domain:name paResult="1">example.com</domain:name>
        <domain:paTRID>
          <clTRID>ABC-12345</clTRID>
          <svTRID>54321-XYZ</svTRID>
        </domain:paTRID>
        <domain:paDate>1999-04-04T22:00:00.0Z</domain:paDate>
      </domain:panData>
    </resData>
    <trID>
      <clTRID>BCD-23456</clTRID>
      <svTRID>65432-WXY</svTRID>
    </trID>
  </response>
</epp>`,
};

// ---------------------------------------------------------------------------------------------
// RFC 5732: hosts.

const rfc5732: Record<string, string> = {
  create: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <host:create ${HOST}>
        <host:name>ns1.example.com</host:name>
        <host:addr ip="v4">192.0.2.2</host:addr>
        <host:addr ip="v4">192.0.2.29</host:addr>
        <host:addr ip="v6">1080:0:0:0:8:800:200C:417A</host:addr>
      </host:create>
    </create>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  info: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <info>
      <host:info ${HOST}>
        <host:name>ns1.example.com</host:name>
      </host:info>
    </info>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  infData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <host:infData ${HOST}>
        <host:name>ns1.example.com</host:name>
        <host:roid>NS1_EXAMPLE1-REP</host:roid>
        <host:status s="linked"/>
        <host:status s="clientUpdateProhibited"/>
        <host:addr ip="v4">192.0.2.2</host:addr>
        <host:addr ip="v4">192.0.2.29</host:addr>
        <host:addr ip="v6">1080:0:0:0:8:800:200C:417A</host:addr>
        <host:clID>ClientY</host:clID>
        <host:crID>ClientX</host:crID>
        <host:crDate>1999-04-03T22:00:00.0Z</host:crDate>
        <host:upID>ClientX</host:upID>
        <host:upDate>1999-12-03T09:00:00.0Z</host:upDate>
        <host:trDate>2000-04-08T09:00:00.0Z</host:trDate>
      </host:infData>
    </resData>${TRID}
  </response>
</epp>`,

  update: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <host:update ${HOST}>
        <host:name>ns1.example.com</host:name>
        <host:add>
          <host:addr ip="v4">192.0.2.22</host:addr>
          <host:status s="clientUpdateProhibited"/>
        </host:add>
        <host:rem>
          <host:addr ip="v6">1080:0:0:0:8:800:200C:417A</host:addr>
        </host:rem>
        <host:chg>
          <host:name>ns2.example.com</host:name>
        </host:chg>
      </host:update>
    </update>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,
};

// ---------------------------------------------------------------------------------------------
// RFC 5733: contacts.

const postalInfo = `
          <contact:postalInfo type="int">
            <contact:name>John Doe</contact:name>
            <contact:org>Example Inc.</contact:org>
            <contact:addr>
              <contact:street>123 Example Dr.</contact:street>
              <contact:street>Suite 100</contact:street>
              <contact:city>Dulles</contact:city>
              <contact:sp>VA</contact:sp>
              <contact:pc>20166-6503</contact:pc>
              <contact:cc>US</contact:cc>
            </contact:addr>
          </contact:postalInfo>`;

const contactCreate = (voice: string) => `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <contact:create ${CONTACT}>
        <contact:id>sh8013</contact:id>${postalInfo}
        <contact:voice x="1234">${voice}</contact:voice>
        <contact:fax>+1.7035555556</contact:fax>
        <contact:email>jdoe@example.com</contact:email>
        <contact:authInfo>
          <contact:pw>2fooBAR</contact:pw>
        </contact:authInfo>
        <contact:disclose flag="0">
          <contact:voice/>
          <contact:email/>
        </contact:disclose>
      </contact:create>
    </create>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`;

const rfc5733: Record<string, string> = {
  'create with postalInfo and disclose': contactCreate('+1.7035555555'),

  infData: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <contact:infData ${CONTACT}>
        <contact:id>sh8013</contact:id>
        <contact:roid>SH8013-REP</contact:roid>
        <contact:status s="linked"/>
        <contact:status s="clientDeleteProhibited"/>${postalInfo}
        <contact:voice x="1234">+1.7035555555</contact:voice>
        <contact:fax>+1.7035555556</contact:fax>
        <contact:email>jdoe@example.com</contact:email>
        <contact:clID>ClientY</contact:clID>
        <contact:crID>ClientX</contact:crID>
        <contact:crDate>1999-04-03T22:00:00.0Z</contact:crDate>
        <contact:upID>ClientX</contact:upID>
        <contact:upDate>1999-12-03T09:00:00.0Z</contact:upDate>
        <contact:trDate>2000-04-08T09:00:00.0Z</contact:trDate>
        <contact:authInfo>
          <contact:pw>2fooBAR</contact:pw>
        </contact:authInfo>
        <contact:disclose flag="0">
          <contact:voice/>
          <contact:email/>
        </contact:disclose>
      </contact:infData>
    </resData>${TRID}
  </response>
</epp>`,

  update: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <contact:update ${CONTACT}>
        <contact:id>sh8013</contact:id>
        <contact:add>
          <contact:status s="clientDeleteProhibited"/>
        </contact:add>
        <contact:chg>
          <contact:postalInfo type="int">
            <contact:org/>
            <contact:addr>
              <contact:street>124 Example Dr.</contact:street>
              <contact:street>Suite 200</contact:street>
              <contact:city>Dulles</contact:city>
              <contact:sp>VA</contact:sp>
              <contact:pc>20166-6503</contact:pc>
              <contact:cc>US</contact:cc>
            </contact:addr>
          </contact:postalInfo>
          <contact:voice>+1.7034444444</contact:voice>
          <contact:fax/>
          <contact:authInfo>
            <contact:pw>2fooBAR</contact:pw>
          </contact:authInfo>
          <contact:disclose flag="1">
            <contact:voice/>
            <contact:email/>
          </contact:disclose>
        </contact:chg>
      </contact:update>
    </update>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,
};

// ---------------------------------------------------------------------------------------------
// RFC 3915: redemption grace period.

const rfc3915: Record<string, string> = {
  'restore request': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <domain:update ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:chg/>
      </domain:update>
    </update>
    <extension>
      <rgp:update ${RGP}>
        <rgp:restore op="request"/>
      </rgp:update>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'restore report': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <domain:update ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:chg/>
      </domain:update>
    </update>
    <extension>
      <rgp:update ${RGP}>
        <rgp:restore op="report">
          <rgp:report>
            <rgp:preData>Pre-delete registration data goes here.
            Both XML and free text are allowed.</rgp:preData>
            <rgp:postData>Post-restore registration data goes here.
            Both XML and free text are allowed.</rgp:postData>
            <rgp:delTime>2003-07-10T22:00:00.0Z</rgp:delTime>
            <rgp:resTime>2003-07-20T22:00:00.0Z</rgp:resTime>
            <rgp:resReason>Registrant error.</rgp:resReason>
            <rgp:statement>This registrar has not restored the
            Registered Name in order to assume the rights to use
            or sell the Registered Name for itself or for any
            third party.</rgp:statement>
            <rgp:statement>The information in this report is
            true to best of this registrar's knowledge, and this
            registrar acknowledges that intentionally supplying
            false information in this report shall constitute an
            incurable material breach of the
            Registry-Registrar Agreement.</rgp:statement>
            <rgp:other>Supporting information goes
            here.</rgp:other>
          </rgp:report>
        </rgp:restore>
      </rgp:update>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'domain info response with rgp infData': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:infData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:roid>EXAMPLE1-REP</domain:roid>
        <domain:status s="pendingDelete"/>
        <domain:registrant>jd1234</domain:registrant>
        <domain:contact type="admin">sh8013</domain:contact>
        <domain:contact type="tech">sh8013</domain:contact>
        <domain:clID>ClientX</domain:clID>
        <domain:crID>ClientY</domain:crID>
        <domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>
        <domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>
      </domain:infData>
    </resData>
    <extension>
      <rgp:infData ${RGP}>
        <rgp:rgpStatus s="redemptionPeriod"/>
      </rgp:infData>
    </extension>${TRID}
  </response>
</epp>`,

  'domain update response with rgp upData': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <extension>
      <rgp:upData ${RGP}>
        <rgp:rgpStatus s="pendingRestore"/>
      </rgp:upData>
    </extension>${TRID}
  </response>
</epp>`,
};

// ---------------------------------------------------------------------------------------------
// RFC 5910: DNSSEC (secDNS-1.1).

const dsData = (keyTag: string) => `
          <secDNS:dsData>
            <secDNS:keyTag>${keyTag}</secDNS:keyTag>
            <secDNS:alg>3</secDNS:alg>
            <secDNS:digestType>1</secDNS:digestType>
            <secDNS:digest>49FD46E6C4B45C55D4AC</secDNS:digest>
          </secDNS:dsData>`;

const secDnsCreate = (keyTag: string) => `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <domain:create ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:period unit="y">2</domain:period>
        <domain:ns>
          <domain:hostObj>ns1.example.com</domain:hostObj>
          <domain:hostObj>ns2.example.com</domain:hostObj>
        </domain:ns>
        <domain:registrant>jd1234</domain:registrant>
        <domain:contact type="admin">sh8013</domain:contact>
        <domain:contact type="tech">sh8013</domain:contact>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:create>
    </create>
    <extension>
      <secDNS:create ${SECDNS}>
        <secDNS:maxSigLife>604800</secDNS:maxSigLife>${dsData(keyTag)}
      </secDNS:create>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`;

const rfc5910: Record<string, string> = {
  'create with dsData': secDnsCreate('12345'),

  'create with dsData carrying keyData': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <domain:create ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:create>
    </create>
    <extension>
      <secDNS:create ${SECDNS}>
        <secDNS:dsData>
          <secDNS:keyTag>12345</secDNS:keyTag>
          <secDNS:alg>3</secDNS:alg>
          <secDNS:digestType>1</secDNS:digestType>
          <secDNS:digest>49FD46E6C4B45C55D4AC</secDNS:digest>
          <secDNS:keyData>
            <secDNS:flags>257</secDNS:flags>
            <secDNS:protocol>3</secDNS:protocol>
            <secDNS:alg>1</secDNS:alg>
            <secDNS:pubKey>AQPJ////4Q==</secDNS:pubKey>
          </secDNS:keyData>
        </secDNS:dsData>
      </secDNS:create>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'update: rem all, then add': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <domain:update ${DOMAIN}>
        <domain:name>example.com</domain:name>
      </domain:update>
    </update>
    <extension>
      <secDNS:update ${SECDNS} urgent="true">
        <secDNS:rem>
          <secDNS:all>true</secDNS:all>
        </secDNS:rem>
        <secDNS:add>${dsData('12346')}
        </secDNS:add>
        <secDNS:chg>
          <secDNS:maxSigLife>605900</secDNS:maxSigLife>
        </secDNS:chg>
      </secDNS:update>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'update: keyData interface rem/add': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <update>
      <domain:update ${DOMAIN}>
        <domain:name>example.com</domain:name>
      </domain:update>
    </update>
    <extension>
      <secDNS:update ${SECDNS}>
        <secDNS:rem>
          <secDNS:keyData>
            <secDNS:flags>257</secDNS:flags>
            <secDNS:protocol>3</secDNS:protocol>
            <secDNS:alg>1</secDNS:alg>
            <secDNS:pubKey>AQPJ////4Q==</secDNS:pubKey>
          </secDNS:keyData>
        </secDNS:rem>
        <secDNS:add>
          <secDNS:keyData>
            <secDNS:flags>257</secDNS:flags>
            <secDNS:protocol>3</secDNS:protocol>
            <secDNS:alg>1</secDNS:alg>
            <secDNS:pubKey>AQPJ////4QQQ</secDNS:pubKey>
          </secDNS:keyData>
        </secDNS:add>
      </secDNS:update>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'domain info response with secDNS infData': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:infData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:roid>EXAMPLE1-REP</domain:roid>
        <domain:status s="ok"/>
        <domain:clID>ClientX</domain:clID>
      </domain:infData>
    </resData>
    <extension>
      <secDNS:infData ${SECDNS}>${dsData('12345')}
      </secDNS:infData>
    </extension>${TRID}
  </response>
</epp>`,
};

// ---------------------------------------------------------------------------------------------
// RFC 8748: registry fees (fee-1.0).

const feeCreate = (fee: string, currency = 'USD') => `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <create>
      <domain:create ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:period unit="y">2</domain:period>
        <domain:ns>
          <domain:hostObj>ns1.example.net</domain:hostObj>
          <domain:hostObj>ns2.example.net</domain:hostObj>
        </domain:ns>
        <domain:registrant>jd1234</domain:registrant>
        <domain:contact type="admin">sh8013</domain:contact>
        <domain:contact type="tech">sh8013</domain:contact>
        <domain:authInfo>
          <domain:pw>2fooBAR</domain:pw>
        </domain:authInfo>
      </domain:create>
    </create>
    <extension>
      <fee:create ${FEE}>
        <fee:currency>${currency}</fee:currency>
        <fee:fee>${fee}</fee:fee>
      </fee:create>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`;

const rfc8748: Record<string, string> = {
  'check command': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <command>
    <check>
      <domain:check ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:name>example.net</domain:name>
        <domain:name>example.xyz</domain:name>
      </domain:check>
    </check>
    <extension>
      <fee:check ${FEE}>
        <fee:currency>USD</fee:currency>
        <fee:command name="create">
          <fee:period unit="y">2</fee:period>
        </fee:command>
        <fee:command name="renew"/>
        <fee:command name="transfer"/>
        <fee:command name="restore"/>
      </fee:check>
    </extension>
    <clTRID>ABC-12345</clTRID>
  </command>
</epp>`,

  'check response (chkData)': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:chkData ${DOMAIN}>
        <domain:cd>
          <domain:name avail="1">example.com</domain:name>
        </domain:cd>
        <domain:cd>
          <domain:name avail="1">example.net</domain:name>
        </domain:cd>
        <domain:cd>
          <domain:name avail="1">example.xyz</domain:name>
        </domain:cd>
      </domain:chkData>
    </resData>
    <extension>
      <fee:chkData ${FEE} ${DOMAIN}>
        <fee:currency>USD</fee:currency>
        <fee:cd avail="1">
          <fee:objID>example.com</fee:objID>
          <fee:class>Premium</fee:class>
          <fee:command name="create">
            <fee:period unit="y">2</fee:period>
            <fee:fee description="Registration Fee" refundable="1" grace-period="P5D">10.00</fee:fee>
          </fee:command>
          <fee:command name="renew">
            <fee:period unit="y">1</fee:period>
            <fee:fee description="Renewal Fee" refundable="1" grace-period="P5D">10.00</fee:fee>
          </fee:command>
          <fee:command name="transfer">
            <fee:period unit="y">1</fee:period>
            <fee:fee description="Transfer Fee" refundable="1" grace-period="P5D">10.00</fee:fee>
          </fee:command>
          <fee:command name="restore">
            <fee:fee description="Redemption Fee">5.00</fee:fee>
          </fee:command>
        </fee:cd>
        <fee:cd avail="1">
          <fee:objID>example.net</fee:objID>
          <fee:command name="create" standard="1">
            <fee:period unit="y">2</fee:period>
            <fee:fee description="Registration Fee" refundable="1" grace-period="P5D" applied="immediate">5.00</fee:fee>
          </fee:command>
          <fee:command name="custom" customName="sync" phase="sunrise" subphase="trademark">
            <fee:fee>1.00</fee:fee>
            <fee:credit description="Promotion">-1.00</fee:credit>
          </fee:command>
        </fee:cd>
        <fee:cd avail="0">
          <fee:objID element="name">example.xyz</fee:objID>
          <fee:command name="create">
            <fee:period unit="y">2</fee:period>
          </fee:command>
          <fee:reason>Only 1 year registration periods are valid.</fee:reason>
        </fee:cd>
      </fee:chkData>
    </extension>${TRID}
  </response>
</epp>`,

  'create with fee': feeCreate('5.00'),

  'create response (creData)': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:creData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>
        <domain:exDate>2001-04-03T22:00:00.0Z</domain:exDate>
      </domain:creData>
    </resData>
    <extension>
      <fee:creData ${FEE}>
        <fee:currency>USD</fee:currency>
        <fee:fee>5.00</fee:fee>
        <fee:balance>-5.00</fee:balance>
        <fee:creditLimit>1000.00</fee:creditLimit>
      </fee:creData>
    </extension>${TRID}
  </response>
</epp>`,

  'renew response (renData) with period and credit': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <resData>
      <domain:renData ${DOMAIN}>
        <domain:name>example.com</domain:name>
        <domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>
      </domain:renData>
    </resData>
    <extension>
      <fee:renData ${FEE}>
        <fee:currency>USD</fee:currency>
        <fee:period unit="y">1</fee:period>
        <fee:fee refundable="1" grace-period="P5D">5.00</fee:fee>
        <fee:credit description="Early renewal discount">-0.50</fee:credit>
        <fee:balance>1000.00</fee:balance>
      </fee:renData>
    </extension>${TRID}
  </response>
</epp>`,

  'delete response (delData)': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp ${EPP}>
  <response>${OK}
    <extension>
      <fee:delData ${FEE}>
        <fee:currency>USD</fee:currency>
        <fee:credit description="AGP Credit">-5.00</fee:credit>
        <fee:balance>1005.00</fee:balance>
      </fee:delData>
    </extension>${TRID}
  </response>
</epp>`,
};

const valid: [string, Record<string, string>][] = [
  ['RFC 5730 (epp)', rfc5730],
  ['RFC 5731 (domain)', rfc5731],
  ['RFC 5732 (host)', rfc5732],
  ['RFC 5733 (contact)', rfc5733],
  ['RFC 3915 (rgp)', rfc3915],
  ['RFC 5910 (secDNS-1.1)', rfc5910],
  ['RFC 8748 (fee-1.0)', rfc8748],
];

describe('EPP XML schemas', () => {
  it('every schema file compiles on its own, resolving its imports from disk', () => {
    const files = readdirSync(xsdDir).filter((f) => f.endsWith('.xsd')).sort();
    expect(files).toEqual([
      'all.xsd',
      'allocationToken-1.0.xsd',
      'contact-1.0.xsd',
      'domain-1.0.xsd',
      'epp-1.0.xsd',
      'eppcom-1.0.xsd',
      'fee-1.0.xsd',
      'host-1.0.xsd',
      'rgp-1.0.xsd',
      'secDNS-1.1.xsd',
    ]);
    for (const file of files) compile(file).dispose();
  });

  for (const [rfc, examples] of valid) {
    describe(`${rfc} examples validate`, () => {
      it.each(Object.entries(examples))('%s', (_name, xml) => {
        expect(errors(xml)).toEqual([]);
      });
    });
  }

  describe('invalid documents are rejected', () => {
    const invalid: [string, string, RegExp][] = [
      [
        'domain:create without domain:name',
        rfc5731['create with hostObj and contacts']!.replace('<domain:name>example.com</domain:name>', ''),
        /Expected is \( \{urn:ietf:params:xml:ns:domain-1\.0\}name \)/,
      ],
      [
        'contact:create with a voice number not in E.164 form',
        contactCreate('+1-703-555-5555'),
        /voice.*pattern/,
      ],
      [
        'a period unit other than y or m',
        rfc5731.renew!.replace('unit="y"', 'unit="d"'),
        /unit.*'d'.*enumeration|enumeration.*'d'/s,
      ],
      [
        'a login whose clID has 2 characters',
        rfc5730.login!.replace('<clID>ClientX</clID>', '<clID>CX</clID>'),
        /clID.*minLength/,
      ],
      [
        'an unknown element in an epp command',
        rfc5730.logout!.replace('<logout/>', '<logout/>\n    <frobnicate/>'),
        /frobnicate.*not expected/,
      ],
      [
        'an unknown command verb',
        rfc5730.logout!.replace('<logout/>', '<frobnicate/>'),
        /frobnicate.*not expected/,
      ],
      [
        'a secDNS keyTag above 65535',
        secDnsCreate('65536'),
        /keyTag.*65536|65536.*unsignedShort/,
      ],
      [
        'a domain:update whose status value is unknown',
        rfc5731['update (add/rem/chg)']!.replace('s="clientHold"', 's="clientParked"'),
        /\bs\b.*clientParked/,
      ],
      [
        'a period of 100 years',
        rfc5731.renew!.replace('<domain:period unit="y">5</domain:period>', '<domain:period unit="y">100</domain:period>'),
        /period.*maxInclusive/,
      ],
      [
        'a login password shorter than 6 characters',
        rfc5730.login!.replace('<pw>foo-BAR2</pw>', '<pw>foo</pw>'),
        /pw.*minLength/,
      ],
      [
        'a result code that is not defined',
        rfc5730['login response']!.replace('code="1000"', 'code="1999"'),
        /code.*1999/,
      ],
      [
        'a response without trID',
        rfc5730['login response']!.replace(/<trID>[\s\S]*<\/trID>/, ''),
        /Missing child element.*trID/,
      ],
      [
        'a fee with a negative amount',
        feeCreate('-5.00'),
        /fee.*minInclusive/,
      ],
      [
        'a fee currency that is not three capitals',
        feeCreate('5.00', 'usd'),
        /currency.*pattern/,
      ],
      [
        'a fee:create without any fee:fee',
        feeCreate('5.00').replace('<fee:fee>5.00</fee:fee>', ''),
        /Missing child element.*fee/,
      ],
      [
        'a fee credit above zero',
        rfc8748['delete response (delData)']!.replace('>-5.00</fee:credit>', '>5.00</fee:credit>'),
        /credit.*maxInclusive/,
      ],
      [
        'an unknown fee command name',
        rfc8748['check command']!.replace('name="restore"', 'name="frobnicate"'),
        /name.*frobnicate/,
      ],
      [
        'rgp restore with an unknown op',
        rfc3915['restore request']!.replace('op="request"', 'op="undelete"'),
        /op.*undelete/,
      ],
      [
        'a host address longer than 45 characters',
        rfc5732.create!.replace('192.0.2.29', '1'.repeat(46)),
        /addr.*maxLength/,
      ],
      [
        'a contact postalInfo type other than loc/int',
        contactCreate('+1.7035555555').replace('type="int"', 'type="intl"'),
        /type.*intl/,
      ],
    ];

    it.each(invalid)('%s', (_name, xml, expected) => {
      const problems = errors(xml);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join('\n')).toMatch(expected);
    });
  });
});
