#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Generate the packet corpus for xdpcap's correctness tests.  Every filter of
# tests/data/filters.txt is run over every packet written here, and the verdict
# of the compiled eBPF program is compared with libpcap's own interpreter
# (pcap_offline_filter).  The corpus therefore aims at breadth rather than
# realism: well-formed traffic of every protocol the filter language knows
# about (IPv4/IPv6 TCP, UDP, ICMP, ICMPv6, SCTP, IGMP, PIM, VRRP, GRE, AH, ESP,
# ARP/RARP, VLAN/QinQ, MPLS, PPPoE, LLC/SNAP), plus the awkward cases that
# exercise bounds checks and header arithmetic: IPv4 options and bogus header
# lengths, fragments, IPv6 extension-header chains, random garbage, packets
# truncated at every length, and records whose wire length exceeds the
# captured length.  Only documentation addresses are used (192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 00:00:5e:00:53:xx) besides
# broadcast and multicast ones.  Output is a classic pcap file (DLT_EN10MB,
# snaplen 262144) and is byte-for-byte identical on every run.
#
# Usage: /usr/bin/python3 tests/gen_packet_corpus.py OUT.pcap

import random
import struct
import sys

from scapy.config import conf

conf.verb = 0

# pylint: disable=wrong-import-position
from scapy.layers.l2 import ARP, Dot1Q, Dot3, Ether, LLC, SNAP, STP
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply,
                                ICMPv6EchoRequest, ICMPv6MLQuery,
                                ICMPv6MLReport, ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6ND_Redirect,
                                ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig,
                                ICMPv6ParamProblem, ICMPv6TimeExceeded, IPv6,
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                PadN, RouterAlert)
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.l2 import GRE
from scapy.layers.ppp import PPPoE, PPPoED
from scapy.layers.sctp import (SCTP, SCTPChunkData, SCTPChunkInit,
                               SCTPChunkSACK)
from scapy.layers.vrrp import VRRP
from scapy.contrib.mpls import MPLS
from scapy.packet import Raw

SEED = 0x5eed_cafe
SNAPLEN = 262144
rng = random.Random(SEED)

MACS = ["00:00:5e:00:53:%02x" % i for i in range(1, 17)]
BCAST_MAC = "ff:ff:ff:ff:ff:ff"
V4 = ["192.0.2.1", "192.0.2.2", "192.0.2.10", "192.0.2.200",
      "198.51.100.5", "198.51.100.77", "198.51.100.254",
      "203.0.113.9", "203.0.113.33", "203.0.113.200"]
V6 = ["2001:db8::1", "2001:db8::2", "2001:db8::10", "2001:db8:1::10",
      "2001:db8:1::abcd", "2001:db8:ffff::1",
      "2001:db8:85a3::8a2e:370:7334"]
PORTS = [53, 80, 443, 22, 25, 123, 161, 1000, 1024, 1500, 2000, 2001,
         8080, 5353, 65535, 0]

packets = []        # list of (bytes, wirelen or None)


def emit(pkt, wirelen=None):
    data = pkt if isinstance(pkt, (bytes, bytearray)) else bytes(pkt)
    packets.append((bytes(data), wirelen))
    return bytes(data)


def rbytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def pick(seq):
    return seq[rng.randrange(len(seq))]


def rport():
    if rng.random() < 0.6:
        return pick(PORTS)
    return rng.randrange(1, 65536)


def v4pair():
    a, b = rng.sample(V4, 2)
    return a, b


def v6pair():
    a, b = rng.sample(V6, 2)
    return a, b


def eth(dst=None, src=None, etype=None):
    dst = dst or pick(MACS)
    src = src or pick(MACS)
    if etype is None:
        return Ether(dst=dst, src=src)
    return Ether(dst=dst, src=src, type=etype)


def mcast_mac_v4(addr):
    o = [int(x) for x in addr.split(".")]
    return "01:00:5e:%02x:%02x:%02x" % (o[1] & 0x7f, o[2], o[3])


def mcast_mac_v6(low32):
    return "33:33:%02x:%02x:%02x:%02x" % tuple(low32.to_bytes(4, "big"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4_with_options(ip_bytes, opts, ihl=None):
    """Splice option bytes into a built IPv4 packet, fixing IHL/len/csum."""
    hdr = bytearray(ip_bytes[:20])
    rest = ip_bytes[20:]
    if ihl is None:
        ihl = 5 + len(opts) // 4
    hdr[0] = 0x40 | (ihl & 0xf)
    hdr[2:4] = struct.pack("!H", 20 + len(opts) + len(rest))
    hdr[10:12] = b"\0\0"
    full = bytes(hdr) + opts
    c = csum(full[:max(20, min(len(full), ihl * 4))])
    full = full[:10] + struct.pack("!H", c) + full[12:]
    return full + rest


# Payload makers for the layer-4 protocols (shared by v4 and v6 builders).

TCP_FLAGS = ["S", "SA", "A", "PA", "FA", "R", "RA", "F", "U", "UA", "PAU",
             "SE", "SEC", "AE", "AC", "FSRPAUEC", "", "FPU", "SR", "SF"]


def ppp(proto):
    # scapy's PPP layer compresses the protocol field to one byte; PPPoE
    # (and libpcap) use the full two bytes.
    return Raw(struct.pack("!H", proto))


def tcp_seg(sport=None, dport=None, flags=None):
    sport = rport() if sport is None else sport
    dport = rport() if dport is None else dport
    flags = pick(TCP_FLAGS) if flags is None else flags
    opts = []
    r = rng.random()
    if r < 0.3:
        opts = [("MSS", 1460)]
    elif r < 0.5:
        opts = [("MSS", 1400), ("NOP", None), ("WScale", 7),
                ("SAckOK", b""), ("Timestamp", (rng.getrandbits(32), 0))]
    elif r < 0.6:
        opts = [("NOP", None), ("NOP", None),
                ("Timestamp", (rng.getrandbits(32), rng.getrandbits(32)))]
    seg = TCP(sport=sport, dport=dport, flags=flags,
              seq=rng.getrandbits(32), ack=rng.getrandbits(32),
              window=rng.randrange(65536) if rng.random() < 0.9 else 0,
              options=opts)
    if dport == 80 and "P" in flags:
        return seg / Raw(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
    if rng.random() < 0.4:
        return seg / Raw(rbytes(rng.randrange(1, 200)))
    return seg


def udp_dgram(sport=None, dport=None):
    sport = rport() if sport is None else sport
    dport = rport() if dport is None else dport
    u = UDP(sport=sport, dport=dport)
    if 53 in (sport, dport) and rng.random() < 0.8:
        qname = pick(["example.com.", "www.example.org.", "test.example.net."])
        if dport == 53:
            return u / DNS(id=rng.getrandbits(16), rd=1, qd=DNSQR(qname=qname))
        return u / DNS(id=rng.getrandbits(16), qr=1, aa=1, rd=1, ra=1,
                       qd=DNSQR(qname=qname),
                       an=DNSRR(rrname=qname, ttl=300, rdata=pick(V4)))
    n = pick([0, 0, 1, 8, 48, rng.randrange(1, 400)])
    return u / Raw(rbytes(n)) if n else u


def sctp_pkt():
    s = SCTP(sport=rport(), dport=pick([80, 2905, 3868, 36412, 1000]),
             tag=rng.getrandbits(32))
    k = rng.randrange(3)
    if k == 0:
        return s / SCTPChunkInit(init_tag=rng.getrandbits(32), a_rwnd=65535,
                                 n_out_streams=10, n_in_streams=10,
                                 init_tsn=rng.getrandbits(32))
    if k == 1:
        return s / SCTPChunkData(tsn=rng.getrandbits(32), stream_id=1,
                                 stream_seq=2, proto_id=46,
                                 data=rbytes(rng.randrange(1, 60)))
    return s / SCTPChunkSACK(cumul_tsn_ack=rng.getrandbits(32), a_rwnd=4096)


def l4_v4(src, dst, kind=None):
    kind = kind or pick(["tcp", "tcp", "udp", "udp", "icmp", "sctp"])
    ip = IP(src=src, dst=dst, id=rng.getrandbits(16), ttl=pick([1, 64, 128, 255]))
    if kind == "tcp":
        return ip / tcp_seg()
    if kind == "udp":
        return ip / udp_dgram()
    if kind == "icmp":
        return ip / ICMP(type=pick([0, 8]), id=rng.getrandbits(16),
                         seq=rng.randrange(100)) / Raw(rbytes(32))
    return ip / sctp_pkt()


def l4_v6(src, dst, kind=None):
    kind = kind or pick(["tcp", "tcp", "udp", "udp", "icmp6", "sctp"])
    ip = IPv6(src=src, dst=dst, hlim=pick([1, 64, 255]),
              fl=rng.getrandbits(20), tc=pick([0, 0, 0xb8]))
    if kind == "tcp":
        return ip / tcp_seg()
    if kind == "udp":
        return ip / udp_dgram()
    if kind == "icmp6":
        return ip / ICMPv6EchoRequest(id=rng.getrandbits(16), seq=1,
                                      data=rbytes(16))
    return ip / sctp_pkt()


# ---------------------------------------------------------------------------
# Section builders.  Each appends to `packets`.

def gen_tcp():
    for _ in range(260):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d, id=rng.getrandbits(16),
                        flags=pick(["", "DF"]), tos=pick([0, 0, 0x10, 0xb8])) / tcp_seg())
    for _ in range(140):
        s, d = v6pair()
        emit(eth() / IPv6(src=s, dst=d, fl=rng.getrandbits(20)) / tcp_seg())
    # Specific, predictable flows the filter corpus refers to.
    for flags in ["S", "SA", "A", "PA", "FA", "R"]:
        emit(eth(MACS[0], MACS[1]) / IP(src="192.0.2.1", dst="198.51.100.5") /
             tcp_seg(40000, 80, flags))
        emit(eth(MACS[1], MACS[0]) / IP(src="198.51.100.5", dst="192.0.2.1") /
             tcp_seg(80, 40000, flags))
        emit(eth(MACS[2], MACS[3]) / IP(src="192.0.2.10", dst="203.0.113.9") /
             tcp_seg(50000, 443, flags))
        emit(eth(MACS[3], MACS[2]) / IPv6(src="2001:db8::1", dst="2001:db8::2") /
             tcp_seg(443, 50001, flags))
    for p in range(995, 2010, 5):
        emit(eth() / IP(src="203.0.113.33", dst="192.0.2.2") / tcp_seg(rport(), p))


def gen_udp():
    for _ in range(200):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d, id=rng.getrandbits(16)) / udp_dgram())
    for _ in range(100):
        s, d = v6pair()
        emit(eth() / IPv6(src=s, dst=d) / udp_dgram())
    for _ in range(30):       # DNS, both directions, v4 and v6
        emit(eth() / IP(src="192.0.2.1", dst="198.51.100.77") /
             udp_dgram(rng.randrange(1024, 65536), 53))
        emit(eth() / IP(src="198.51.100.77", dst="192.0.2.1") /
             udp_dgram(53, rng.randrange(1024, 65536)))
    for _ in range(10):
        emit(eth() / IPv6(src="2001:db8::10", dst="2001:db8:1::10") /
             udp_dgram(rng.randrange(1024, 65536), 53))
    for p in [999, 1000, 1001, 1500, 1999, 2000, 2001, 123, 161, 514]:
        emit(eth() / IP(src="192.0.2.200", dst="203.0.113.200") / udp_dgram(p, p))
    # broadcast and multicast
    for _ in range(8):
        emit(eth(BCAST_MAC, MACS[4]) / IP(src="0.0.0.0", dst="255.255.255.255") /
             UDP(sport=68, dport=67) / Raw(rbytes(240)))
        emit(eth(BCAST_MAC, MACS[5]) / IP(src="192.0.2.10", dst="192.0.2.255") /
             UDP(sport=137, dport=137) / Raw(rbytes(50)))
        emit(eth(mcast_mac_v4("224.0.0.251"), MACS[6]) /
             IP(src="192.0.2.2", dst="224.0.0.251", ttl=255) /
             UDP(sport=5353, dport=5353) / Raw(rbytes(30)))
        emit(eth(mcast_mac_v4("239.1.2.3"), MACS[6]) /
             IP(src="198.51.100.5", dst="239.1.2.3") / udp_dgram())
        emit(eth(mcast_mac_v6(0xfb), MACS[7]) /
             IPv6(src="2001:db8::2", dst="ff02::fb") /
             UDP(sport=5353, dport=5353) / Raw(rbytes(30)))
        emit(eth(mcast_mac_v6(1), MACS[7]) /
             IPv6(src="2001:db8::1", dst="ff02::1") / udp_dgram())


def gen_icmp():
    simple = [(0, 0), (8, 0), (13, 0), (14, 0), (15, 0), (16, 0), (17, 0),
              (18, 0), (9, 0), (10, 0), (4, 0), (6, 0), (30, 0), (40, 0),
              (253, 0)]
    for t, c in simple:
        for _ in range(3):
            s, d = v4pair()
            emit(eth() / IP(src=s, dst=d) /
                 ICMP(type=t, code=c, id=rng.getrandbits(16), seq=rng.randrange(9),
                      ts_ori=rng.getrandbits(31), ts_rx=rng.getrandbits(31),
                      ts_tx=rng.getrandbits(31)) /
                 Raw(rbytes(pick([0, 8, 56]))))
    errors = [(3, c) for c in range(16)] + [(5, c) for c in range(4)] + \
             [(11, 0), (11, 1), (12, 0), (12, 1), (12, 2)]
    for t, c in errors:
        s, d = v4pair()
        inner = bytes(l4_v4(d, s))[:28]
        emit(eth() / IP(src=s, dst=d) / ICMP(type=t, code=c) / Raw(inner))
    for i in range(20):
        emit(eth(MACS[0], MACS[1]) / IP(src="192.0.2.1", dst="203.0.113.9") /
             ICMP(type=8, id=0x1234, seq=i) / Raw(rbytes(56)))
        emit(eth(MACS[1], MACS[0]) / IP(src="203.0.113.9", dst="192.0.2.1") /
             ICMP(type=0, id=0x1234, seq=i) / Raw(rbytes(56)))


def gen_icmp6():
    for i in range(15):
        emit(eth(MACS[0], MACS[1]) / IPv6(src="2001:db8::1", dst="2001:db8::2") /
             ICMPv6EchoRequest(id=0x42, seq=i, data=rbytes(32)))
        emit(eth(MACS[1], MACS[0]) / IPv6(src="2001:db8::2", dst="2001:db8::1") /
             ICMPv6EchoReply(id=0x42, seq=i, data=rbytes(32)))
    for _ in range(4):
        s, d = v6pair()
        low = int.from_bytes(bytes(IPv6(dst=d))[36:40], "big") & 0xffffff
        sn = "ff02::1:ff%02x:%04x" % (low >> 16, low & 0xffff)
        emit(eth(mcast_mac_v6(0xff000000 | low), MACS[2]) /
             IPv6(src=s, dst=sn, hlim=255) / ICMPv6ND_NS(tgt=d) /
             ICMPv6NDOptSrcLLAddr(lladdr=MACS[2]))
        emit(eth(MACS[2], MACS[3]) / IPv6(src=d, dst=s, hlim=255) /
             ICMPv6ND_NA(tgt=d, R=0, S=1, O=1))
        emit(eth(mcast_mac_v6(2), MACS[4]) /
             IPv6(src=s, dst="ff02::2", hlim=255) / ICMPv6ND_RS())
        emit(eth(mcast_mac_v6(1), MACS[5]) /
             IPv6(src=s, dst="ff02::1", hlim=255) / ICMPv6ND_RA())
        emit(eth() / IPv6(src=s, dst=d, hlim=255) /
             ICMPv6ND_Redirect(tgt=pick(V6), dst=pick(V6)))
        # MLD, with the usual hop-by-hop router alert
        emit(eth(mcast_mac_v6(1), MACS[6]) /
             IPv6(src=s, dst="ff02::1", hlim=1) /
             IPv6ExtHdrHopByHop(options=[RouterAlert()]) / ICMPv6MLQuery())
        emit(eth(mcast_mac_v6(1), MACS[6]) /
             IPv6(src=s, dst="ff02::1", hlim=1) / ICMPv6MLQuery())
        emit(eth(mcast_mac_v6(0x16), MACS[6]) /
             IPv6(src=s, dst="ff02::16", hlim=1) /
             IPv6ExtHdrHopByHop(options=[RouterAlert()]) /
             ICMPv6MLReport(mladdr="ff02::fb"))
        inner = bytes(l4_v6(d, s))[:48]
        emit(eth() / IPv6(src=s, dst=d) / ICMPv6DestUnreach(code=pick([0, 1, 3, 4])) / Raw(inner))
        emit(eth() / IPv6(src=s, dst=d) / ICMPv6PacketTooBig(mtu=1280) / Raw(inner))
        emit(eth() / IPv6(src=s, dst=d) / ICMPv6TimeExceeded(code=0) / Raw(inner))
        emit(eth() / IPv6(src=s, dst=d) / ICMPv6ParamProblem(ptr=6) / Raw(inner))
    # ICMPv6 with unusual types, raw.
    for t in [143, 144, 200, 255, 0, 127]:
        s, d = v6pair()
        emit(eth() / IPv6(src=s, dst=d, nh=58) / Raw(bytes([t, 0, 0, 0]) + rbytes(12)))


def gen_misc_ip_protocols():
    # SCTP
    for _ in range(30):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d) / sctp_pkt())
    for _ in range(15):
        s, d = v6pair()
        emit(eth() / IPv6(src=s, dst=d) / sctp_pkt())
    # IGMP v1/v2/v3 (v2/v3 with router alert option, i.e. IHL 6)
    for t, grp, dst in [(0x11, "0.0.0.0", "224.0.0.1"),
                        (0x11, "239.1.2.3", "239.1.2.3"),
                        (0x12, "239.1.2.3", "239.1.2.3"),
                        (0x16, "224.0.0.251", "224.0.0.251"),
                        (0x17, "239.1.2.3", "224.0.0.2"),
                        (0x22, "0.0.0.0", "224.0.0.22")]:
        for ra in (False, True):
            body = bytearray(struct.pack("!BBH4s", t, 10, 0,
                                         bytes(int(x) for x in grp.split("."))))
            if t == 0x22:
                body += struct.pack("!HH", 0, 1) + struct.pack(
                    "!BBH4s", 4, 0, 0, bytes([239, 1, 2, 3]))
            body[2:4] = struct.pack("!H", csum(bytes(body)))
            ipb = bytes(IP(src=pick(V4), dst=dst, ttl=1, proto=2) / Raw(bytes(body)))
            if ra:
                ipb = ip4_with_options(ipb, b"\x94\x04\x00\x00")
            emit(bytes(eth(mcast_mac_v4(dst), pick(MACS), 0x0800)) + ipb)
    # PIM (IP proto 103): hello, register, join/prune
    for ptype in [0, 1, 3, 2]:
        for _ in range(3):
            body = bytearray(struct.pack("!BBH", 0x20 | ptype, 0, 0))
            body += struct.pack("!HHH", 1, 2, 105) + rbytes(8)
            body[2:4] = struct.pack("!H", csum(bytes(body)))
            emit(eth(mcast_mac_v4("224.0.0.13"), pick(MACS)) /
                 IP(src=pick(V4), dst="224.0.0.13", ttl=1, proto=103) /
                 Raw(bytes(body)))
    for _ in range(3):
        emit(eth(mcast_mac_v6(0xd), pick(MACS)) /
             IPv6(src=pick(V6), dst="ff02::d", nh=103, hlim=1) /
             Raw(b"\x20\x00\x00\x00" + rbytes(12)))
    # VRRP (IP proto 112)
    for vrid in [1, 7, 42, 200]:
        for _ in range(3):
            emit(eth("00:00:5e:00:01:%02x" % vrid, "00:00:5e:00:01:%02x" % vrid) /
                 IP(src=pick(V4), dst="224.0.0.18", ttl=255) /
                 VRRP(vrid=vrid, priority=pick([100, 254, 255]),
                      addrlist=[pick(V4)]))
    # GRE (IP proto 47) carrying IPv4, IPv6 and Ethernet
    for _ in range(12):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d) / GRE(proto=0x0800) / l4_v4(*v4pair()))
        emit(eth() / IP(src=s, dst=d) / GRE(key_present=1, key=rng.getrandbits(32),
                                            proto=0x86dd) / l4_v6(*v6pair()))
    for _ in range(6):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d) / GRE(proto=0x6558) / eth() / l4_v4(*v4pair()))
        emit(eth() / IPv6(src=pick(V6), dst=pick(V6)) / GRE(proto=0x0800) /
             l4_v4(*v4pair()))
    # Geneve (UDP 6081) carrying Ethernet
    for vni in [10, 10, 10, 4242, 0xffffff]:
        hdr = struct.pack("!BBHI", 0, 0, 0x6558, vni << 8)
        emit(eth() / IP(src=pick(V4), dst=pick(V4)) / UDP(sport=rport(), dport=6081) /
             Raw(hdr) / eth() / l4_v4(*v4pair()))
    # AH (51) and ESP (50), v4 and v6
    for _ in range(12):
        s, d = v4pair()
        inner = tcp_seg() if rng.random() < 0.5 else udp_dgram()
        nh = 6 if isinstance(inner, TCP) else 17
        ah = struct.pack("!BBHII", nh, 4, 0, rng.getrandbits(32), rng.randrange(1000)) + rbytes(12)
        emit(eth() / IP(src=s, dst=d, proto=51) / Raw(ah + bytes(inner)))
        esp = struct.pack("!II", rng.getrandbits(32), rng.randrange(1000)) + \
            rbytes(rng.randrange(16, 120))
        emit(eth() / IP(src=s, dst=d, proto=50) / Raw(esp))
        s6, d6 = v6pair()
        emit(eth() / IPv6(src=s6, dst=d6, nh=51) / Raw(ah + bytes(inner)))
        emit(eth() / IPv6(src=s6, dst=d6, nh=50) / Raw(esp))
    # Assorted other protocol numbers (raw payloads)
    for proto in [0, 4, 41, 89, 94, 115, 132, 136, 137, 253, 254, 255]:
        emit(eth() / IP(src=pick(V4), dst=pick(V4), proto=proto) / Raw(rbytes(40)))
    for nh in [4, 41, 59, 89, 115, 253]:
        emit(eth() / IPv6(src=pick(V6), dst=pick(V6), nh=nh) / Raw(rbytes(40)))
    emit(eth() / IP(src="192.0.2.1", dst="203.0.113.9") / IPv6(src="2001:db8::1", dst="2001:db8::2") / tcp_seg())
    emit(eth() / IP(src="192.0.2.1", dst="203.0.113.9") / IP(src="198.51.100.5", dst="192.0.2.2") / udp_dgram())


def gen_arp():
    for _ in range(14):
        s, d = v4pair()
        m = pick(MACS)
        emit(eth(BCAST_MAC, m) / ARP(op=1, hwsrc=m, psrc=s, pdst=d))
        emit(eth(m, pick(MACS)) / ARP(op=2, hwsrc=pick(MACS), psrc=d, hwdst=m, pdst=s))
    for _ in range(4):   # gratuitous
        s = pick(V4)
        m = pick(MACS)
        emit(eth(BCAST_MAC, m) / ARP(op=1, hwsrc=m, psrc=s, pdst=s))
    emit(eth(BCAST_MAC, MACS[0]) / ARP(op=1, hwsrc=MACS[0], psrc="192.0.2.1",
                                       pdst="198.51.100.5"))
    for op in [3, 4, 3, 4, 3, 4, 3, 4]:   # RARP
        m = pick(MACS)
        emit(eth(BCAST_MAC if op == 3 else m, pick(MACS), 0x8035) /
             ARP(op=op, hwsrc=m, psrc=pick(V4), hwdst=m, pdst=pick(V4)))
    # odd ARP: unusual hardware/protocol sizes
    emit(eth(BCAST_MAC, MACS[9], 0x0806) / Raw(struct.pack("!HHBBH", 6, 0x86dd, 6, 16, 1) + rbytes(44)))
    emit(eth(BCAST_MAC, MACS[9], 0x0806) / Raw(struct.pack("!HHBBH", 1, 0x0800, 8, 4, 9) + rbytes(24)))


def gen_ip_options():
    opt_pool = [b"\x01", b"\x94\x04\x00\x00", b"\x07\x07\x04" + b"\0" * 4,
                b"\x44\x0c\x05\x00" + b"\0" * 8, b"\x83\x07\x04" + b"\0" * 4,
                b"\x89\x07\x04" + b"\0" * 4, b"\x82\x0b" + b"\0" * 9]
    for ihl in range(6, 16):
        for _ in range(6):
            need = (ihl - 5) * 4
            opts = b""
            while True:
                o = pick(opt_pool)
                if len(opts) + len(o) > need:
                    break
                opts += o
            opts = (opts + b"\x00" * need)[:need]
            if rng.random() < 0.2:
                opts = rbytes(need)
            s, d = v4pair()
            ipb = bytes(l4_v4(s, d))
            emit(bytes(eth(etype=0x0800)) + ip4_with_options(ipb, opts))
    # fixed flow with options, port 80
    for ihl in (6, 8, 15):
        ipb = bytes(IP(src="192.0.2.1", dst="198.51.100.5") / tcp_seg(1234, 80, "S"))
        emit(bytes(eth(etype=0x0800)) + ip4_with_options(ipb, b"\x01" * ((ihl - 5) * 4)))
    # bogus header lengths: IHL 0..4 and IHL larger than the packet
    for ihl in range(0, 5):
        for _ in range(4):
            ipb = bytes(l4_v4(*v4pair()))
            emit(bytes(eth(etype=0x0800)) + ip4_with_options(ipb, b"", ihl=ihl))
    for _ in range(4):
        ipb = bytes(IP(src=pick(V4), dst=pick(V4), proto=6) / Raw(rbytes(8)))
        emit(bytes(eth(etype=0x0800)) + ip4_with_options(ipb, b"", ihl=15))
    # wrong version numbers behind ethertype 0x0800 / 0x86dd
    for ver in [0, 6, 15]:
        b = bytearray(bytes(l4_v4(*v4pair(), kind="udp")))
        b[0] = (ver << 4) | 5
        emit(bytes(eth(etype=0x0800)) + bytes(b))
    for ver in [4, 0]:
        b = bytearray(bytes(l4_v6(*v6pair(), kind="tcp")))
        b[0] = (ver << 4) | (b[0] & 0xf)
        emit(bytes(eth(etype=0x86dd)) + bytes(b))


def fragments(pkt, size):
    """Split an IPv4 scapy packet into fragments of `size` payload bytes."""
    raw = bytes(pkt)
    hdr = bytearray(raw[:20])
    payload = raw[20:]
    out = []
    for off in range(0, len(payload), size):
        chunk = payload[off:off + size]
        h = bytearray(hdr)
        more = off + size < len(payload)
        fl = (0x2000 if more else 0) | (off // 8)
        h[6:8] = struct.pack("!H", fl)
        h[2:4] = struct.pack("!H", 20 + len(chunk))
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", csum(bytes(h)))
        out.append(bytes(h) + chunk)
    return out


def gen_fragments():
    for size in [8, 16, 24, 64, 256, 512, 1480]:
        for kind in ["tcp", "udp", "icmp"]:
            s, d = v4pair()
            ip = IP(src=s, dst=d, id=rng.getrandbits(16))
            if kind == "tcp":
                p = ip / tcp_seg(rport(), 80, "PA") / Raw(rbytes(rng.randrange(40, 2000)))
            elif kind == "udp":
                p = ip / UDP(sport=rport(), dport=53) / Raw(rbytes(rng.randrange(40, 2000)))
            else:
                p = ip / ICMP(type=8) / Raw(rbytes(rng.randrange(40, 2000)))
            frs = fragments(p, size)
            if len(frs) > 6:
                frs = frs[:3] + frs[-3:]
            for f in frs:
                emit(bytes(eth(etype=0x0800)) + f)
    # DF packets, reserved flag, lone later fragments
    for _ in range(8):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d, flags="DF") / tcp_seg())
        emit(eth() / IP(src=s, dst=d, flags="evil") / udp_dgram())
        emit(eth() / IP(src=s, dst=d, frag=rng.randrange(1, 8192), proto=6) / Raw(rbytes(40)))
        emit(eth() / IP(src=s, dst=d, flags="MF", frag=0) / udp_dgram(rport(), 53))
    # IPv6 fragments
    for _ in range(10):
        s, d = v6pair()
        fid = rng.getrandbits(32)
        emit(eth() / IPv6(src=s, dst=d) / IPv6ExtHdrFragment(id=fid, m=1, offset=0) /
             tcp_seg() / Raw(rbytes(64)))
        emit(eth() / IPv6(src=s, dst=d) /
             IPv6ExtHdrFragment(id=fid, m=0, offset=rng.randrange(1, 200), nh=6) /
             Raw(rbytes(48)))
        emit(eth() / IPv6(src=s, dst=d) / IPv6ExtHdrFragment(id=fid, m=0, offset=0) /
             udp_dgram())


def gen_ipv6_ext():
    ext_makers = [
        lambda: IPv6ExtHdrHopByHop(options=[RouterAlert()]),
        lambda: IPv6ExtHdrHopByHop(),
        lambda: IPv6ExtHdrDestOpt(),
        lambda: IPv6ExtHdrRouting(addresses=[pick(V6)]),
        lambda: IPv6ExtHdrRouting(addresses=[pick(V6), pick(V6)], segleft=1),
        lambda: IPv6ExtHdrFragment(id=rng.getrandbits(32), m=0, offset=0),
    ]
    for _ in range(90):
        s, d = v6pair()
        chain = [pick(ext_makers)() for _ in range(rng.randrange(1, 5))]
        pkt = IPv6(src=s, dst=d)
        for h in chain:
            pkt = pkt / h
        kind = pick(["tcp", "udp", "icmp6", "sctp", "none"])
        if kind == "tcp":
            pkt = pkt / tcp_seg()
        elif kind == "udp":
            pkt = pkt / udp_dgram()
        elif kind == "icmp6":
            pkt = pkt / ICMPv6EchoRequest(id=rng.getrandbits(16), data=rbytes(8))
        elif kind == "sctp":
            pkt = pkt / sctp_pkt()
        emit(eth() / pkt)
    # fixed flows behind extension headers
    emit(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrHopByHop() /
         tcp_seg(1234, 80, "S"))
    emit(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrDestOpt() /
         udp_dgram(1234, 53))
    emit(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") /
         IPv6ExtHdrFragment(id=7, m=0) / udp_dgram(1234, 53))


def libpcap_walk_ends(pkt, v6):
    """Whether libpcap's protochain loop (gencode.c gen_protochain) ends
    on pkt: its AH step sets the offset to (len + 2) * 4 from the network
    header, not past the AH, so some AH bytes make it go round forever.
    Such packets would hang the reference interpreter; they stay out."""
    ip = 14
    if v6:
        if len(pkt) < ip + 40:
            return True
        proto, off = pkt[ip + 6], 40
    else:
        if len(pkt) < ip + 20:
            return True
        proto, off = pkt[ip + 9], (pkt[ip] & 0xf) * 4
    seen = set()
    while (proto, off) not in seen:
        seen.add((proto, off))
        at = ip + off
        if v6 and proto in (0, 60, 43, 44):
            if at + 2 > len(pkt):
                return True
            proto, off = pkt[at], off + (pkt[at + 1] + 1) * 8
        elif proto == 51:
            if at + 2 > len(pkt):
                return True
            proto, off = pkt[at], (pkt[at + 1] + 2) * 4
        else:
            return True
    return False


def gen_protochain():
    """Header chains for protochain: long ones (past the bound the kernel
    walks, around it and below it), AH in both families, ends that are
    not a transport."""
    opt_hdrs = [IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt]
    for n in [9, 40, 90, 124, 125, 126, 127, 128, 150, 203, 204, 205, 260]:
        pkt = IPv6(src=pick(V6), dst=pick(V6))
        for _ in range(n):
            pkt = pkt / pick(opt_hdrs)()
        emit(eth() / pkt / pick([tcp_seg(), udp_dgram()]))
    # some with longer headers (padding options) and a routing header
    for _ in range(12):
        pkt = IPv6(src=pick(V6), dst=pick(V6))
        for _ in range(rng.randrange(2, 30)):
            h = pick(opt_hdrs)(options=[PadN(optdata=rbytes(rng.randrange(0, 40)))])
            pkt = pkt / (h if rng.random() < 0.9 else IPv6ExtHdrRouting(addresses=[pick(V6)]))
        emit(eth() / pkt / pick([tcp_seg(), udp_dgram(), sctp_pkt()]))
    # AH chains: libpcap's AH step lands inside the AH, on whatever bytes
    # are there; keep those on which its loop ends
    kept = 0
    while kept < 40:
        chain = b""
        for _ in range(rng.randrange(1, 4)):
            nh = pick([51, 51, 6, 17, 0, 60])
            ln = rng.randrange(1, 12)
            chain = struct.pack("!BBH", nh, ln, 0) + rbytes(ln * 4 + 4) + chain
        v6 = rng.random() < 0.5
        l3 = IPv6(src=pick(V6), dst=pick(V6), nh=51) if v6 else \
            IP(src=pick(V4), dst=pick(V4), proto=51)
        pkt = bytes(eth() / l3 / Raw(chain + bytes(pick([tcp_seg(), udp_dgram()]))))
        if libpcap_walk_ends(pkt, v6):
            emit(pkt)
            kept += 1


def inner_l3():
    r = rng.random()
    if r < 0.5:
        return 0x0800, l4_v4(*v4pair())
    if r < 0.8:
        return 0x86dd, l4_v6(*v6pair())
    m = pick(MACS)
    return 0x0806, ARP(op=1, hwsrc=m, psrc=pick(V4), pdst=pick(V4))


def gen_vlan():
    vids = [0, 1, 10, 20, 100, 200, 1000, 4094, 4095]
    for _ in range(110):
        et, l3 = inner_l3()
        emit(eth(etype=0x8100) / Dot1Q(vlan=pick(vids), prio=rng.randrange(8), type=et) / l3)
    for outer in [0x8100, 0x88a8, 0x9100]:
        for _ in range(20):
            et, l3 = inner_l3()
            emit(eth(etype=outer) / Dot1Q(vlan=pick(vids), type=0x8100) /
                 Dot1Q(vlan=pick(vids), type=et) / l3)
    # triple tagging
    for _ in range(6):
        et, l3 = inner_l3()
        emit(eth(etype=0x88a8) / Dot1Q(vlan=pick(vids), type=0x8100) /
             Dot1Q(vlan=pick(vids), type=0x8100) / Dot1Q(vlan=pick(vids), type=et) / l3)
    # predictable flows
    for _ in range(5):
        emit(eth(etype=0x8100) / Dot1Q(vlan=100, type=0x0800) /
             IP(src="192.0.2.1", dst="198.51.100.77") / udp_dgram(5000, 53))
        emit(eth(etype=0x8100) / Dot1Q(vlan=100, type=0x0800) /
             IP(src="192.0.2.2", dst="203.0.113.9") / tcp_seg(40000, 80, "S"))
        emit(eth(etype=0x88a8) / Dot1Q(vlan=10, type=0x8100) / Dot1Q(vlan=20, type=0x0800) /
             IP(src="198.51.100.5", dst="192.0.2.10") / tcp_seg(40000, 443, "SA"))
        emit(eth(etype=0x8100) / Dot1Q(vlan=10, type=0x8100) / Dot1Q(vlan=20, type=0x86dd) /
             IPv6(src="2001:db8::1", dst="2001:db8::2") / udp_dgram(5000, 53))
    # VLAN + MPLS, VLAN + PPPoE, VLAN + LLC
    for _ in range(5):
        emit(eth(etype=0x8100) / Dot1Q(vlan=pick(vids), type=0x8847) /
             MPLS(label=rng.randrange(1 << 20), s=1, ttl=64) / l4_v4(*v4pair()))
        emit(eth(etype=0x8100) / Dot1Q(vlan=pick(vids), type=0x8864) /
             PPPoE(sessionid=rng.randrange(1, 10)) / ppp(0x0021) / l4_v4(*v4pair()))
        emit(eth(etype=0x8100) / Dot1Q(vlan=pick(vids), type=40) /
             LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(code=0x0800) / l4_v4(*v4pair()))


def gen_mpls():
    labels = [0, 2, 3, 16, 100, 1000, 1048575, 12345, 200]
    for _ in range(70):
        depth = pick([1, 1, 2, 2, 3, 4])
        pkt = eth(etype=pick([0x8847, 0x8847, 0x8847, 0x8848]))
        for i in range(depth):
            pkt = pkt / MPLS(label=pick(labels) if rng.random() < 0.7 else rng.randrange(1 << 20),
                             cos=rng.randrange(8), s=int(i == depth - 1), ttl=rng.randrange(256))
        r = rng.random()
        if r < 0.6:
            pkt = pkt / l4_v4(*v4pair())
        elif r < 0.85:
            pkt = pkt / l4_v6(*v6pair())
        else:
            pkt = pkt / Raw(rbytes(rng.randrange(0, 80)))
        emit(pkt)
    for _ in range(4):
        emit(eth(etype=0x8847) / MPLS(label=100, s=1, ttl=64) /
             IP(src="192.0.2.1", dst="198.51.100.5") / tcp_seg(40000, 80, "PA"))
        emit(eth(etype=0x8847) / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, s=1, ttl=64) /
             IP(src="192.0.2.1", dst="198.51.100.77") / udp_dgram(5000, 53))
    # bottom-of-stack bit never set: label stack runs into the payload
    for _ in range(4):
        emit(eth(etype=0x8847) / MPLS(label=16, s=0) / MPLS(label=17, s=0) / Raw(rbytes(30)))


def gen_pppoe():
    for code in [0x09, 0x07, 0x19, 0x65, 0xa7]:
        for _ in range(3):
            emit(eth(BCAST_MAC if code == 0x09 else pick(MACS), pick(MACS), 0x8863) /
                 PPPoED(code=code, sessionid=0 if code != 0x65 else rng.randrange(1, 10)) /
                 Raw(b"\x01\x01\x00\x00" + b"\x01\x03\x00\x04" + rbytes(4)))
    for _ in range(20):
        sid = pick([1, 2, 3, 0x1234, rng.randrange(65536)])
        r = rng.random()
        pkt = eth(etype=0x8864) / PPPoE(sessionid=sid)
        if r < 0.5:
            pkt = pkt / ppp(0x0021) / l4_v4(*v4pair())
        elif r < 0.75:
            pkt = pkt / ppp(0x0057) / l4_v6(*v6pair())
        else:
            pkt = pkt / ppp(pick([0xc021, 0x8021, 0xc223])) / Raw(rbytes(20))
        emit(pkt)
    for _ in range(3):
        emit(eth(etype=0x8864) / PPPoE(sessionid=3) / ppp(0x0021) /
             IP(src="192.0.2.1", dst="203.0.113.9") / tcp_seg(40000, 80, "S"))


def gen_llc_and_odd():
    # 802.3 + LLC / SNAP
    for _ in range(10):
        emit(Dot3(dst="01:80:c2:00:00:00", src=pick(MACS)) /
             LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP())
        emit(Dot3(dst=pick(MACS), src=pick(MACS)) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) /
             SNAP(OUI=0, code=0x0800) / l4_v4(*v4pair()))
        emit(Dot3(dst=pick(MACS), src=pick(MACS)) /
             LLC(dsap=pick([0x06, 0xe0, 0xf0, 0xfe, 0x04]), ssap=pick([0x06, 0xe0, 0xf0, 0xfe]),
                 ctrl=pick([3, 0xf3, 0x00, 0x01, 0x6f, 0x7f, 0xaf, 0xbf])) /
             Raw(rbytes(rng.randrange(0, 60))))
        emit(Dot3(dst=pick(MACS), src=pick(MACS)) / LLC(dsap=0xfe, ssap=0xfe, ctrl=3) /
             Raw(b"\x81" + rbytes(rng.randrange(0, 60))))
    # every LLC control-field flavour, and NetBEUI (SAP 0xf0)
    for ctrl in [0x03, 0x13, 0x43, 0x53, 0x63, 0x73, 0x87, 0x97, 0xe3, 0xf3,
                 0xaf, 0xbf, 0x6f, 0x7f, 0x0f, 0x1f, 0x01, 0x05, 0x09, 0x00, 0x02]:
        emit(Dot3(dst=pick(MACS), src=pick(MACS)) /
             LLC(dsap=pick([0xf0, 0x42, 0x06, 0xe0]), ssap=pick([0xf0, 0xf1, 0x42]),
                 ctrl=ctrl) / Raw(rbytes(rng.randrange(2, 40))))
    # DECnet Phase IV routing headers (short and long form, with padding)
    for pad, flags in [(b"", 0x02), (b"\x81", 0x02), (b"", 0x06), (b"\x83\0\0", 0x0e)]:
        src = struct.pack("<H", (10 << 10) | 23)
        dst = struct.pack("<H", (1 << 10) | 2)
        if flags & 0x04:
            hdr = bytes([flags, 0, 0]) + b"\xaa\x00\x04\x00" + dst + \
                b"\0\0" + b"\xaa\x00\x04\x00" + src + b"\0" * 6
        else:
            hdr = bytes([flags]) + dst + src + b"\0"
        body = pad + hdr + rbytes(20)
        emit(eth(etype=0x6003) / Raw(struct.pack("<H", len(body)) + body))
    # OSI over LLC: CLNP, ES-IS and IS-IS (assorted IS-IS PDU types)
    for nlpid, ptype in [(0x81, 28), (0x82, 2), (0x83, 15), (0x83, 16), (0x83, 17),
                         (0x83, 18), (0x83, 20), (0x83, 24), (0x83, 25), (0x83, 26),
                         (0x83, 27)]:
        emit(Dot3(dst="01:80:c2:00:00:14", src=pick(MACS)) /
             LLC(dsap=0xfe, ssap=0xfe, ctrl=3) /
             Raw(bytes([nlpid, 27, 1, 0, ptype, 1, 0, 0]) + rbytes(40)))
    emit(Dot3(dst=pick(MACS), src=pick(MACS)) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) /
         SNAP(OUI=0x00000c, code=0x2000) / Raw(rbytes(40)))
    emit(Dot3(dst=pick(MACS), src=pick(MACS)) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) /
         SNAP(OUI=0, code=0x86dd) / l4_v6(*v6pair()))
    # length fields at the 802.3/Ethernet II boundary
    for et in [0, 1, 46, 1500, 1501, 1535, 1536]:
        emit(eth(etype=et) / Raw(b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + rbytes(40)))
    # odd ethertypes
    for et in [0x88cc, 0x88f7, 0x9000, 0x88e5, 0x8809, 0x888e, 0x22f0, 0x8137,
               0x809b, 0x80f3, 0x6003, 0x0842, 0x8915, 0x88b5, 0xffff, 0x86dc,
               0x0801, 0x0899, 0x8870, 0x8100, 0x6001, 0x6002, 0x6004, 0x6007]:
        for _ in range(2):
            emit(eth(etype=et) / Raw(rbytes(rng.randrange(0, 100))))
    # ethernet multicast/broadcast with assorted payloads
    for _ in range(10):
        emit(eth(pick([BCAST_MAC, "01:00:5e:00:00:01", "01:00:5e:7f:ff:fa",
                       "33:33:00:00:00:01", "01:80:c2:00:00:0e", "03:00:00:00:00:01"])) /
             l4_v4(*v4pair()))


def gen_big():
    for total in [1500, 1500, 1500, 1514, 1514, 1518, 1522, 2000, 2500, 3000]:
        s, d = v4pair()
        base = eth() / IP(src=s, dst=d) / tcp_seg(rport(), 80, "A")
        n = total - len(base)
        emit(base / Raw(rbytes(n)))
    for total in [1500, 1514, 3000]:
        s, d = v6pair()
        base = eth() / IPv6(src=s, dst=d) / UDP(sport=1234, dport=53)
        emit(base / Raw(rbytes(total - len(base))))
    base = eth(etype=0x8100) / Dot1Q(vlan=100) / IP(src="192.0.2.1", dst="198.51.100.5") / UDP(sport=9, dport=9)
    emit(base / Raw(rbytes(1500 - len(base))))


def gen_garbage():
    for _ in range(70):
        emit(rbytes(rng.randrange(1, 1600)))
    for _ in range(60):   # plausible Ethernet header, garbage payload
        et = pick([0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x8035, 0x8847,
                   0x8863, 0x8864, 0x0200])
        body = bytearray(rbytes(rng.randrange(0, 200)))
        if et == 0x0800 and body:
            body[0] = 0x40 | (body[0] & 0xf)
        if et == 0x86dd and body:
            body[0] = 0x60 | (body[0] & 0xf)
        emit(bytes(eth(etype=et)) + bytes(body))
    # valid header with random L4 protocol bytes
    for _ in range(30):
        s, d = v4pair()
        emit(eth() / IP(src=s, dst=d, proto=pick([6, 17, 1, 132, 2, 47, 103, 112])) /
             Raw(rbytes(rng.randrange(0, 64))))
        s, d = v6pair()
        emit(eth() / IPv6(src=s, dst=d, nh=pick([6, 17, 58, 132, 0, 43, 44, 60])) /
             Raw(rbytes(rng.randrange(0, 64))))


def gen_truncated(bases):
    out = []
    for full in bases:
        for n in range(0, 71):
            out.append((full[:n], len(full)))
    # random cuts of random earlier packets
    whole = [p for p, _ in packets]
    for _ in range(350):
        full = pick(whole)
        if len(full) < 2:
            continue
        out.append((full[:rng.randrange(1, len(full))], len(full)))
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: %s OUT.pcap\n" % sys.argv[0])
        return 2

    gen_tcp()
    gen_udp()
    gen_icmp()
    gen_icmp6()
    gen_misc_ip_protocols()
    gen_arp()
    gen_ip_options()
    gen_fragments()
    gen_ipv6_ext()
    gen_vlan()
    gen_mpls()
    gen_pppoe()
    gen_llc_and_odd()
    gen_big()
    gen_garbage()
    gen_protochain()

    # A dozen representative packets cut at every length 0..70.
    bases = [
        bytes(eth() / IP(src="192.0.2.1", dst="198.51.100.5") / tcp_seg(40000, 80, "S")),
        bytes(eth() / IP(src="192.0.2.1", dst="198.51.100.77") / udp_dgram(5000, 53)),
        bytes(eth() / IP(src="192.0.2.1", dst="203.0.113.9") / ICMP(type=8) / Raw(rbytes(20))),
        bytes(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") / tcp_seg(443, 50000, "SA")),
        bytes(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrHopByHop() /
              IPv6ExtHdrFragment(id=1, m=0) / udp_dgram(1234, 53)),
        bytes(eth(etype=0x8100) / Dot1Q(vlan=100, type=0x0800) /
              IP(src="192.0.2.2", dst="203.0.113.9") / udp_dgram(5000, 53)),
        bytes(eth(etype=0x88a8) / Dot1Q(vlan=10, type=0x8100) / Dot1Q(vlan=20, type=0x0800) /
              IP(src="198.51.100.5", dst="192.0.2.10") / tcp_seg(40000, 443, "SA")),
        bytes(eth(etype=0x8847) / MPLS(label=100, s=0) / MPLS(label=200, s=1) /
              IP(src="192.0.2.1", dst="198.51.100.77") / udp_dgram(5000, 53)),
        bytes(eth(BCAST_MAC, MACS[0]) / ARP(op=1, hwsrc=MACS[0], psrc="192.0.2.1",
                                            pdst="198.51.100.5")),
        bytes(eth(etype=0x0800)) + ip4_with_options(
            bytes(IP(src="192.0.2.1", dst="198.51.100.5") / tcp_seg(1234, 80, "S")),
            b"\x94\x04\x00\x00" + b"\x01" * 8),
        bytes(eth(etype=0x8864) / PPPoE(sessionid=3) / ppp(0x0021) /
              IP(src="192.0.2.1", dst="203.0.113.9") / udp_dgram(5000, 53)),
        bytes(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") /
              ICMPv6EchoRequest(id=1, data=rbytes(8))),
        bytes(eth() / IP(src="192.0.2.1", dst="198.51.100.5") / sctp_pkt()),
    ]
    trunc = gen_truncated(bases)

    # Most truncated copies claim wirelen == caplen (a short packet); a
    # fraction keep the original length, as a snapped capture would.
    records = []
    for data, _ in packets:
        wl = len(data)
        if rng.random() < 0.06:
            wl += rng.randrange(1, 1500)
        records.append((data, wl))
    for data, orig in trunc:
        wl = len(data)
        if rng.random() < 0.25:
            wl = orig
        records.append((data, wl))

    # Interleave deterministically so neighbouring records differ in kind.
    rng.shuffle(records)

    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, SNAPLEN, 1))
        for i, (data, wl) in enumerate(records):
            usec = 1000000 + i
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000,
                                len(data), wl))
            f.write(data)
    snapped = sum(1 for d, w in records if w > len(d))
    sys.stderr.write("%d packets (%d with wirelen > caplen)\n" % (len(records), snapped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
