'use strict';
/** FreeBSD's /etc/services and /etc/protocols names that pf.conf files use, both ways. */

// name -> port (tcp and udp alike for these); the first name of a port is the one pfctl prints.
const SERVICES = [
  ['ftp-data', 20],
  ['ftp', 21],
  ['ssh', 22],
  ['telnet', 23],
  ['smtp', 25],
  ['time', 37],
  ['whois', 43],
  ['nicname', 43],
  ['domain', 53],
  ['bootps', 67],
  ['bootpc', 68],
  ['tftp', 69],
  ['gopher', 70],
  ['finger', 79],
  ['http', 80],
  ['www', 80],
  ['kerberos', 88],
  ['pop3', 110],
  ['sunrpc', 111],
  ['auth', 113],
  ['ident', 113],
  ['nntp', 119],
  ['ntp', 123],
  ['netbios-ns', 137],
  ['netbios-dgm', 138],
  ['netbios-ssn', 139],
  ['imap', 143],
  ['snmp', 161],
  ['snmptrap', 162],
  ['bgp', 179],
  ['irc', 194],
  ['ldap', 389],
  ['https', 443],
  ['microsoft-ds', 445],
  ['kpasswd', 464],
  ['smtps', 465],
  ['isakmp', 500],
  ['ike', 500],
  ['syslog', 514],
  ['submission', 587],
  ['ipp', 631],
  ['ldaps', 636],
  ['rsync', 873],
  ['imaps', 993],
  ['pop3s', 995],
  ['socks', 1080],
  ['openvpn', 1194],
  ['ms-sql-s', 1433],
  ['radius', 1812],
  ['radius-acct', 1813],
  ['nfsd', 2049],
  ['mysql', 3306],
  ['rdp', 3389],
  ['svn', 3690],
  ['sip', 5060],
  ['xmpp-client', 5222],
  ['postgresql', 5432],
  ['x11', 6000],
  ['irc-serv', 6667],
  ['http-alt', 8080],
  ['git', 9418],
];
const PORT_BY_NAME = new Map(SERVICES.map(([n, p]) => [n, p]));
const NAME_BY_PORT = new Map();
for (const [n, p] of SERVICES) if (!NAME_BY_PORT.has(p)) NAME_BY_PORT.set(p, n);

const PROTOCOLS = [
  ['ip', 0],
  ['icmp', 1],
  ['igmp', 2],
  ['ggp', 3],
  ['ipencap', 4],
  ['tcp', 6],
  ['egp', 8],
  ['pup', 12],
  ['udp', 17],
  ['idp', 22],
  ['ipv6', 41],
  ['ipv6-route', 43],
  ['ipv6-frag', 44],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['ipv6-icmp', 58],
  ['icmp6', 58],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['ospf', 89],
  ['ipip', 94],
  ['pim', 103],
  ['vrrp', 112],
  ['carp', 112],
  ['l2tp', 115],
  ['sctp', 132],
  ['pfsync', 240],
  ['divert', 258],
];
const PROTO_BY_NAME = new Map(PROTOCOLS.map(([n, p]) => [n, p]));
const PROTO_NAME = new Map();
for (const [n, p] of PROTOCOLS) if (!PROTO_NAME.has(p)) PROTO_NAME.set(p, n);
// pfctl prints icmp6 rules with getprotobynumber's name for 58.
PROTO_NAME.set(58, 'ipv6-icmp');
PROTO_NAME.set(112, 'carp');

const ICMP_TYPES = [
  ['echorep', 0],
  ['unreach', 3],
  ['squench', 4],
  ['redir', 5],
  ['althost', 6],
  ['echoreq', 8],
  ['routeradv', 9],
  ['routersol', 10],
  ['timex', 11],
  ['paramprob', 12],
  ['timereq', 13],
  ['timerep', 14],
  ['inforeq', 15],
  ['inforep', 16],
  ['maskreq', 17],
  ['maskrep', 18],
  ['trace', 30],
];
const ICMP6_TYPES = [
  ['unreach', 1],
  ['toobig', 2],
  ['timex', 3],
  ['paramprob', 4],
  ['echoreq', 128],
  ['echorep', 129],
  ['groupqry', 130],
  ['listqry', 130],
  ['grouprep', 131],
  ['listenrep', 131],
  ['groupterm', 132],
  ['listendone', 132],
  ['routersol', 133],
  ['routeradv', 134],
  ['neighbrsol', 135],
  ['neighbradv', 136],
  ['redir', 137],
];

/** Port number of a service name or number string; undefined when unknown. */
function portNumber(word) {
  if (/^\d+$/.test(word)) {
    const n = Number(word);
    return n <= 65535 ? n : undefined;
  }
  return PORT_BY_NAME.get(word);
}

const portName = (n) => NAME_BY_PORT.get(n);

function protoNumber(word) {
  if (/^\d+$/.test(word)) return Number(word) <= 255 ? Number(word) : undefined;
  return PROTO_BY_NAME.get(word);
}

const protoName = (n) => PROTO_NAME.get(n) ?? String(n);

function icmpType(word, v6) {
  if (/^\d+$/.test(word)) return Number(word) <= 255 ? Number(word) : undefined;
  const m = (v6 ? ICMP6_TYPES : ICMP_TYPES).find(([n]) => n === word);
  return m ? m[1] : undefined;
}

function icmpTypeName(n, v6) {
  const m = (v6 ? ICMP6_TYPES : ICMP_TYPES).find(([, v]) => v === n);
  return m ? m[0] : String(n);
}

module.exports = { portNumber, portName, protoNumber, protoName, icmpType, icmpTypeName };
